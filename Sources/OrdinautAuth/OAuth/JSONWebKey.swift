import Crypto
import OrdinautCore
import _CryptoExtras

/// One public signature key of a JWK Set (RFC 7517): RSA (2048 to 8192 bits), EC P-256 or P-384, or
/// Ed25519. The key type pins the algorithms it verifies, and a declared `alg` pins exactly one, so
/// a token's header can never pick how its own signature is checked.
public struct JSONWebKey: Sendable {
    /// The key material with the curve or key type that decides which algorithms apply. swift-crypto
    /// 3.12 does not mark its EC and Ed25519 key types `Sendable`, so those are kept as the bytes they
    /// were validated from (uncompressed point, raw key) and rebuilt for each verification, which
    /// costs little next to the verification itself.
    enum Material: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(x963: [UInt8])
        case p384(x963: [UInt8])
        case ed25519(raw: [UInt8])
    }

    /// The smallest RSA modulus accepted, in bits (RFC 8725 §3.5 and NIST SP 800-131A).
    public static let minimumRSAModulusBits = 2048
    /// The largest RSA modulus accepted, in bits: bigger keys only cost verification time.
    public static let maximumRSAModulusBits = 8192

    /// The `kid`, if the key has one.
    public let keyID: String?
    /// The `alg` the key declares; when present, the only algorithm it verifies.
    public let declaredAlgorithm: JWSAlgorithm?
    let material: Material

    /// `RSA`, `EC` or `OKP`.
    public var keyType: String {
        switch material {
        case .rsa: return "RSA"
        case .p256, .p384: return "EC"
        case .ed25519: return "OKP"
        }
    }

    /// The algorithms this key can verify: those of its type, narrowed to its declared `alg`.
    public var allowedAlgorithms: [JWSAlgorithm] {
        let byType: [JWSAlgorithm]
        switch material {
        case .rsa: byType = [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512]
        case .p256: byType = [.es256]
        case .p384: byType = [.es384]
        case .ed25519: byType = [.edDSA]
        }
        guard let declaredAlgorithm else { return byType }
        return byType.filter { $0 == declaredAlgorithm }
    }

    /// Whether this key may verify a signature made with `algorithm`.
    public func allows(_ algorithm: JWSAlgorithm) -> Bool {
        allowedAlgorithms.contains(algorithm)
    }

    /// Parses the JSON text of one JWK.
    public init(parsing bytes: [UInt8]) throws(JSONWebKeyProblem) {
        let value: JSONValue
        do {
            value = try JSONParser(maximumDepth: 8).parse(bytes)
        } catch {
            throw JSONWebKeyProblem(keyID: nil, "the key is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw JSONWebKeyProblem(keyID: nil, "a JWK must be a JSON object") }
        try self.init(object)
    }

    /// Reads one member of a JWK Set's `keys`.
    public init(_ object: JSONObject) throws(JSONWebKeyProblem) {
        var keyID: String?
        if let kid = object["kid"] {
            guard let text = kid.stringValue else { throw JSONWebKeyProblem(keyID: nil, "\"kid\" must be a string") }
            keyID = text
        }
        func problem(_ text: String) -> JSONWebKeyProblem { JSONWebKeyProblem(keyID: keyID, text) }

        guard let keyType = object["kty"]?.stringValue else { throw problem("\"kty\" is missing or not a string") }
        if object["d"] != nil || keyType == "oct" {
            // A private or symmetric key in a published key set is a leak at the authorization server;
            // either way it must never verify anything here.
            throw problem(keyType == "oct"
                ? "symmetric keys (kty \"oct\") are never used to verify access tokens"
                : "the key carries private material (\"d\"); a key set must publish public keys only")
        }
        if let use = object["use"] {
            guard use.stringValue == "sig" else { throw problem("\"use\" is \(use), not \"sig\": not a signature key") }
        }
        if let operations = object["key_ops"] {
            guard let list = operations.arrayValue, list.contains(.string("verify")) else {
                throw problem("\"key_ops\" does not include \"verify\"")
            }
        }
        var declared: JWSAlgorithm?
        if let alg = object["alg"] {
            guard let name = alg.stringValue, let algorithm = JWSAlgorithm(rawValue: name) else {
                throw problem("\"alg\" \(alg) is not a supported signature algorithm")
            }
            declared = algorithm
        }

        func bytes(_ member: String) throws(JSONWebKeyProblem) -> [UInt8] {
            guard let text = object[member]?.stringValue else { throw problem("\"\(member)\" is missing or not a string") }
            guard let decoded = Base64URL.decode(Substring(text)), !decoded.isEmpty else {
                throw problem("\"\(member)\" is not unpadded base64url")
            }
            return decoded
        }

        let material: Material
        switch keyType {
        case "RSA":
            let modulus = try bytes("n")
            let exponent = try bytes("e")
            guard modulus.count <= Self.maximumRSAModulusBits / 8 + 1 else {
                throw problem("the RSA modulus is larger than \(Self.maximumRSAModulusBits) bits")
            }
            guard exponent.count <= 8 else { throw problem("the RSA exponent \"e\" is longer than 8 bytes") }
            let key: _RSA.Signing.PublicKey
            do {
                key = try _RSA.Signing.PublicKey(n: modulus, e: exponent)
            } catch {
                throw problem("\"n\" and \"e\" are not a valid RSA public key")
            }
            // swift-crypto 3.12 builds a key from (n, e) of any size; the floor is ours to enforce.
            guard key.keySizeInBits >= Self.minimumRSAModulusBits else {
                throw problem("the RSA modulus has \(key.keySizeInBits) bits; at least \(Self.minimumRSAModulusBits) are required")
            }
            guard key.keySizeInBits <= Self.maximumRSAModulusBits else {
                throw problem("the RSA modulus is larger than \(Self.maximumRSAModulusBits) bits")
            }
            material = .rsa(key)
        case "EC":
            guard let curve = object["crv"]?.stringValue else { throw problem("\"crv\" is missing or not a string") }
            let x = try bytes("x")
            let y = try bytes("y")
            let point = [0x04] + x + y
            switch curve {
            case "P-256":
                guard x.count == 32, y.count == 32 else { throw problem("P-256 coordinates must be 32 bytes each") }
                guard (try? P256.Signing.PublicKey(x963Representation: point)) != nil else {
                    throw problem("\"x\" and \"y\" are not a point on P-256")
                }
                material = .p256(x963: point)
            case "P-384":
                guard x.count == 48, y.count == 48 else { throw problem("P-384 coordinates must be 48 bytes each") }
                guard (try? P384.Signing.PublicKey(x963Representation: point)) != nil else {
                    throw problem("\"x\" and \"y\" are not a point on P-384")
                }
                material = .p384(x963: point)
            default:
                throw problem("the curve \"\(curve)\" is not supported; use P-256 or P-384")
            }
        case "OKP":
            guard let curve = object["crv"]?.stringValue else { throw problem("\"crv\" is missing or not a string") }
            guard curve == "Ed25519" else { throw problem("the curve \"\(curve)\" is not supported; use Ed25519") }
            let x = try bytes("x")
            guard x.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: x)) != nil else {
                throw problem("\"x\" is not a 32-byte Ed25519 public key")
            }
            material = .ed25519(raw: x)
        default:
            throw problem("the key type \"\(keyType)\" is not supported; use RSA, EC or OKP")
        }

        self.keyID = keyID
        self.declaredAlgorithm = declared
        self.material = material
        if let declared, !allows(declared) {
            throw problem("\"alg\" \(declared.rawValue) does not fit a \(self.keyType) key")
        }
    }

    /// Checks that `signature` over `message` was made by this key with `algorithm`.
    ///
    /// Throws ``TokenRejection/Kind/unsupportedAlgorithm`` when the key may not verify `algorithm`
    /// (another key type, or not the key's declared `alg`), ``TokenRejection/Kind/invalidSignature``
    /// when the signature does not verify.
    public func verify(signature: [UInt8], message: some Collection<UInt8>, algorithm: JWSAlgorithm) throws(TokenRejection) {
        guard allows(algorithm) else {
            let fits = allowedAlgorithms.map(\.rawValue).joined(separator: ", ")
            throw .unsupportedAlgorithm(
                "the token says \(algorithm.rawValue) but its key \(keyID.map { "\"\(TokenRejection.excerpt($0))\"" } ?? "(no kid)") is a \(keyType) key for \(fits)")
        }
        let message = Array(message)
        let valid: Bool
        switch material {
        case .rsa(let key):
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch algorithm {
            case .rs256: valid = key.isValidSignature(rsaSignature, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
            case .rs384: valid = key.isValidSignature(rsaSignature, for: SHA384.hash(data: message), padding: .insecurePKCS1v1_5)
            case .rs512: valid = key.isValidSignature(rsaSignature, for: SHA512.hash(data: message), padding: .insecurePKCS1v1_5)
            case .ps256: valid = key.isValidSignature(rsaSignature, for: SHA256.hash(data: message), padding: .PSS)
            case .ps384: valid = key.isValidSignature(rsaSignature, for: SHA384.hash(data: message), padding: .PSS)
            case .ps512: valid = key.isValidSignature(rsaSignature, for: SHA512.hash(data: message), padding: .PSS)
            case .es256, .es384, .edDSA: valid = false
            }
        case .p256(let point):
            guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else {
                throw .invalidSignature("an ES256 signature must be 64 bytes (r || s)")
            }
            let key = try? P256.Signing.PublicKey(x963Representation: point)
            valid = key?.isValidSignature(ecdsa, for: message) ?? false
        case .p384(let point):
            guard signature.count == 96, let ecdsa = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else {
                throw .invalidSignature("an ES384 signature must be 96 bytes (r || s)")
            }
            let key = try? P384.Signing.PublicKey(x963Representation: point)
            valid = key?.isValidSignature(ecdsa, for: message) ?? false
        case .ed25519(let raw):
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            valid = signature.count == 64 && (key?.isValidSignature(signature, for: message) ?? false)
        }
        guard valid else {
            throw .invalidSignature("the signature does not verify with key \(keyID.map { "\"\(TokenRejection.excerpt($0))\"" } ?? "(no kid)")")
        }
    }
}

/// Why one JWK cannot be used, naming the key by its `kid`.
public struct JSONWebKeyProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `kid` of the key, when it has a readable one.
    public let keyID: String?
    /// What is wrong with the key.
    public let reason: String

    init(keyID: String?, _ reason: String) {
        self.keyID = keyID
        self.reason = reason
    }

    public var description: String {
        "key \(keyID.map { "\"\($0)\"" } ?? "without kid"): \(reason)"
    }
}
