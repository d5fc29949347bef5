import OrdinautCore

/// A JWS in compact serialization (RFC 7515 §7.1), split and decoded but not yet verified.
///
/// Parsing already refuses what no key of ours could make acceptable: anything but three canonical
/// base64url segments, a token over ``maximumLength``, header or payload that is not a JSON object,
/// `alg` `none`, `HS*` or unknown, `crit`, and the headers that point at or embed a key (`jku`,
/// `x5u`, `jwk`, `x5c`) — keys come from the configured key set, never from the token.
public struct CompactJWS: Sendable {
    /// The longest token accepted, in bytes.
    public static let maximumLength = 8192
    /// How deeply header and payload JSON may nest.
    public static let maximumJSONDepth = 16
    /// Headers that would let the token choose or carry its own verification key.
    static let keyReferenceHeaders = ["jku", "x5u", "jwk", "x5c"]

    /// The protected header.
    public let header: JSONObject
    /// The payload: the token's claims.
    public let payload: JSONObject
    /// The header's `alg`.
    public let algorithm: JWSAlgorithm
    /// The header's `kid`, if any.
    public let keyID: String?
    /// The header's `typ`, if any.
    public let type: String?
    /// The decoded signature.
    public let signature: [UInt8]
    /// What was signed: the ASCII of `header.payload` as it appears in the token.
    public let signingInput: [UInt8]

    /// Splits and decodes a compact JWS; the rejection says which part is wrong, never what it held.
    public init(parsing token: String) throws(TokenRejection) {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumLength else {
            throw .malformed("the token is \(bytes.count) bytes; at most \(Self.maximumLength) are accepted")
        }
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw .malformed(segments.count == 5
                ? "the token is encrypted (JWE); only signed access tokens (JWS) are accepted"
                : "a compact JWS has 3 dot-separated segments; the token has \(segments.count)")
        }
        header = try Self.object(segments[0], part: "header")
        let name: String
        switch header["alg"] {
        case .string(let text)?: name = text
        case nil: throw .malformed("the token header has no \"alg\"")
        case _?: throw .malformed("the token header's \"alg\" is not a string")
        }
        algorithm = try JWSAlgorithm.parse(name).get()
        if header["crit"] != nil {
            throw .forbiddenHeader("the token header has \"crit\"; no critical header extension is supported")
        }
        for member in Self.keyReferenceHeaders where header[member] != nil {
            throw .forbiddenHeader("the token header has \"\(member)\"; keys come only from the configured key set")
        }
        switch header["kid"] {
        case .string(let text)?: keyID = text
        case nil: keyID = nil
        case _?: throw .malformed("the token header's \"kid\" is not a string")
        }
        switch header["typ"] {
        case .string(let text)?: type = text
        case nil: type = nil
        case _?: throw .malformed("the token header's \"typ\" is not a string")
        }
        payload = try Self.object(segments[1], part: "payload")
        guard let signature = Base64URL.decode(segments[2]), !signature.isEmpty else {
            throw .malformed("the token signature is not unpadded base64url")
        }
        self.signature = signature
        signingInput = Array(bytes[segments[0].startIndex..<segments[1].endIndex])
    }

    /// Whether `token` has the shape of a JWT: three dot-separated segments whose first decodes to a
    /// JSON object with an `alg`. Opaque tokens of other authenticators do not.
    public static func looksLikeJWT(_ token: String) -> Bool {
        let bytes = token.utf8
        guard bytes.count <= maximumLength, bytes.lazy.filter({ $0 == UInt8(ascii: ".") }).count == 2,
              let end = bytes.firstIndex(of: UInt8(ascii: ".")),
              let header = try? object(Array(bytes[bytes.startIndex..<end])[...], part: "header")
        else { return false }
        return header["alg"] != nil
    }

    /// The `iss` of the payload, read without verifying anything: only to tell a token of another
    /// issuer (which another authenticator may know) from one of ours.
    public static func unverifiedIssuer(of token: String) -> String? {
        let segments = Array(token.utf8).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, token.utf8.count <= maximumLength,
              let payload = try? object(segments[1], part: "payload")
        else { return nil }
        return payload["iss"]?.stringValue
    }

    private static func object(_ segment: ArraySlice<UInt8>, part: String) throws(TokenRejection) -> JSONObject {
        guard let decoded = Base64URL.decode(segment) else {
            throw .malformed("the token \(part) is not unpadded base64url")
        }
        let value: JSONValue
        do {
            value = try JSONParser(maximumDepth: maximumJSONDepth).parse(decoded)
        } catch {
            throw .malformed("the token \(part) is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw .malformed("the token \(part) is a JSON \(value.typeName), not an object")
        }
        return object
    }
}
