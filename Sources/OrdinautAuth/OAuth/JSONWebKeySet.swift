import OrdinautCore

/// The usable signature keys of a JWK Set document (`{"keys": [...]}`, RFC 7517 §5), with the
/// reasons the other keys were skipped so that the log can say why a `kid` is missing.
public struct JSONWebKeySet: Sendable {
    /// The most keys a document may hold; more is refused as a whole.
    public static let maximumKeys = 64
    /// The largest document accepted, in bytes.
    public static let maximumDocumentBytes = 256 * 1024

    /// The usable keys, in document order.
    public let keys: [JSONWebKey]
    /// The keys left out and why (private, symmetric, encryption-only, too small, malformed…).
    public let skipped: [JSONWebKeyProblem]

    /// A set of already-parsed keys.
    public init(keys: [JSONWebKey], skipped: [JSONWebKeyProblem] = []) {
        self.keys = keys
        self.skipped = skipped
    }

    /// Parses a JWK Set document. A document with no usable key at all is refused, so that a cache
    /// keeps the keys it has rather than replacing them with nothing.
    public init(parsing bytes: [UInt8]) throws(JSONWebKeySetProblem) {
        guard bytes.count <= Self.maximumDocumentBytes else {
            throw JSONWebKeySetProblem("the key set is \(bytes.count) bytes; at most \(Self.maximumDocumentBytes) are accepted")
        }
        let document: JSONValue
        do {
            document = try JSONParser(maximumDepth: 8).parse(bytes)
        } catch {
            throw JSONWebKeySetProblem("the key set is not valid JSON: \(error)")
        }
        guard let members = document["keys"]?.arrayValue else {
            throw JSONWebKeySetProblem("the key set must be a JSON object with a \"keys\" array")
        }
        guard members.count <= Self.maximumKeys else {
            throw JSONWebKeySetProblem("the key set has \(members.count) keys; at most \(Self.maximumKeys) are accepted")
        }
        var keys: [JSONWebKey] = []
        var skipped: [JSONWebKeyProblem] = []
        for (index, member) in members.enumerated() {
            guard let object = member.objectValue else {
                skipped.append(JSONWebKeyProblem(keyID: nil, "keys[\(index)] is not a JSON object"))
                continue
            }
            do {
                let key = try JSONWebKey(object)
                if let id = key.keyID, keys.contains(where: { $0.keyID == id && $0.keyType == key.keyType }) {
                    // Two keys of one type under one kid leave the choice to chance; the first stays.
                    skipped.append(JSONWebKeyProblem(keyID: id, "another \(key.keyType) key has the same kid"))
                    continue
                }
                keys.append(key)
            } catch {
                skipped.append(error)
            }
        }
        guard !keys.isEmpty else {
            let reasons = skipped.isEmpty ? "the \"keys\" array is empty" : skipped.map(\.description).joined(separator: "; ")
            throw JSONWebKeySetProblem("the key set has no usable signature key: \(reasons)")
        }
        self.keys = keys
        self.skipped = skipped
    }

    /// Whether some key has this `kid`.
    public func contains(keyID: String) -> Bool {
        keys.contains { $0.keyID == keyID }
    }

    /// The key that must verify a token with this `kid` and `alg`.
    ///
    /// With a `kid`, the key of that id that allows `algorithm`. Without one, the only key of the set
    /// that allows `algorithm`; several candidates make the token ambiguous and it is refused.
    public func key(for keyID: String?, algorithm: JWSAlgorithm) -> Result<JSONWebKey, TokenRejection> {
        guard let keyID else {
            let candidates = keys.filter { $0.allows(algorithm) }
            switch candidates.count {
            case 1: return .success(candidates[0])
            case 0: return .failure(.unknownKey("the token has no kid and no key of the set verifies \(algorithm.rawValue)"))
            default:
                return .failure(.malformed(
                    "the token has no kid and \(candidates.count) keys of the set verify \(algorithm.rawValue); the authorization server must set kid"))
            }
        }
        let named = keys.filter { $0.keyID == keyID }
        guard let first = named.first else {
            return .failure(.unknownKey("no key of the key set has kid \"\(TokenRejection.excerpt(keyID))\""))
        }
        if let match = named.first(where: { $0.allows(algorithm) }) { return .success(match) }
        return .failure(.unsupportedAlgorithm(
            "the token says \(algorithm.rawValue) but key \"\(TokenRejection.excerpt(keyID))\" is a \(first.keyType) key for \(first.allowedAlgorithms.map(\.rawValue).joined(separator: ", "))"))
    }
}

/// Why a JWK Set document cannot be used at all.
public struct JSONWebKeySetProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the document.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
