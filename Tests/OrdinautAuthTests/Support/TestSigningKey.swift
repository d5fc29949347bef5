import Crypto
import Foundation
import OrdinautCore
import _CryptoExtras

/// A private key of each kind a test signs with, and the public JWK an authorization server would
/// publish for it.
enum TestSigningKey {
    case rsa(_RSA.Signing.PrivateKey)
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    /// One 2048-bit RSA key for the whole run: generating one takes long in a debug build.
    static let sharedRSA = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }
    /// A second RSA key, for rotation and wrong-key cases.
    static let otherRSA = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    static func rsa() throws -> TestSigningKey { .rsa(try sharedRSA.get()) }
    static func otherRSAKey() throws -> TestSigningKey { .rsa(try otherRSA.get()) }

    /// The public JWK, with `kid` and, if given, `alg`; `extra` members are added as they are.
    func jwk(kid: String?, alg: String? = nil, extra: [(String, JSONValue)] = []) throws -> JSONValue {
        var members: [(String, JSONValue)] = []
        switch self {
        case .rsa(let key):
            let primitives = try key.publicKey.getKeyPrimitives()
            members = [("kty", "RSA"), ("n", .string(TestBase64URL.encode(primitives.modulus))), ("e", .string(TestBase64URL.encode(primitives.publicExponent)))]
        case .p256(let key):
            let point = Array(key.publicKey.x963Representation.dropFirst())
            members = [("kty", "EC"), ("crv", "P-256"), ("x", .string(TestBase64URL.encode(point[0..<32]))), ("y", .string(TestBase64URL.encode(point[32...])))]
        case .p384(let key):
            let point = Array(key.publicKey.x963Representation.dropFirst())
            members = [("kty", "EC"), ("crv", "P-384"), ("x", .string(TestBase64URL.encode(point[0..<48]))), ("y", .string(TestBase64URL.encode(point[48...])))]
        case .ed25519(let key):
            members = [("kty", "OKP"), ("crv", "Ed25519"), ("x", .string(TestBase64URL.encode(key.publicKey.rawRepresentation)))]
        }
        if let kid { members.append(("kid", .string(kid))) }
        if let alg { members.append(("alg", .string(alg))) }
        members.append(contentsOf: extra)
        return .object(JSONObject(members))
    }

    /// The signature of `input` with `algorithm` (the JWS name).
    func sign(_ input: [UInt8], algorithm: String) throws -> [UInt8] {
        switch (self, algorithm) {
        case (.rsa(let key), "RS256"): return Array(try key.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case (.rsa(let key), "RS384"): return Array(try key.signature(for: SHA384.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case (.rsa(let key), "RS512"): return Array(try key.signature(for: SHA512.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case (.rsa(let key), "PS256"): return Array(try key.signature(for: SHA256.hash(data: input), padding: .PSS).rawRepresentation)
        case (.rsa(let key), "PS384"): return Array(try key.signature(for: SHA384.hash(data: input), padding: .PSS).rawRepresentation)
        case (.p256(let key), _): return Array(try key.signature(for: input).rawRepresentation)
        case (.p384(let key), _): return Array(try key.signature(for: input).rawRepresentation)
        case (.ed25519(let key), _): return Array(try key.signature(for: input))
        default: throw TestSetupError("cannot sign \(algorithm) with this key")
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Base64url without padding, written independently of the code under test.
enum TestBase64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func encode(_ text: String) -> String { encode(Array(text.utf8)) }
}
