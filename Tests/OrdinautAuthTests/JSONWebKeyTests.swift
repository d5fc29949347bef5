import Crypto
import OrdinautAuth
import OrdinautCore
import Testing
import _CryptoExtras

@Suite("JSONWebKey: parsing, refusals and the key pinning the algorithm")
struct JSONWebKeyTests {
    private func parse(_ value: JSONValue) throws(JSONWebKeyProblem) -> JSONWebKey {
        try JSONWebKey(parsing: value.encoded())
    }

    private func problem(_ value: JSONValue) -> JSONWebKeyProblem? {
        do {
            _ = try parse(value)
            return nil
        } catch {
            return error
        }
    }

    @Test("reads RSA, EC P-256, EC P-384 and Ed25519 public keys")
    func readsEveryKeyType() throws {
        let rsa = try parse(try TestSigningKey.rsa().jwk(kid: "r"))
        #expect(rsa.keyType == "RSA" && rsa.keyID == "r" && rsa.allows(.rs256) && rsa.allows(.ps256) && !rsa.allows(.es256))
        let p256 = try parse(try TestSigningKey.p256(P256.Signing.PrivateKey()).jwk(kid: "e"))
        #expect(p256.keyType == "EC" && p256.allowedAlgorithms == [.es256])
        let p384 = try parse(try TestSigningKey.p384(P384.Signing.PrivateKey()).jwk(kid: "e3"))
        #expect(p384.allowedAlgorithms == [.es384])
        let ed = try parse(try TestSigningKey.ed25519(Curve25519.Signing.PrivateKey()).jwk(kid: "d"))
        #expect(ed.keyType == "OKP" && ed.allowedAlgorithms == [.edDSA])
    }

    @Test("a declared alg narrows the key to that one algorithm")
    func declaredAlgorithmPins() throws {
        let key = try parse(try TestSigningKey.rsa().jwk(kid: "r", alg: "PS256"))
        #expect(key.allowedAlgorithms == [.ps256])
        let message = Array("header.payload".utf8)
        let signature = try TestSigningKey.rsa().sign(message, algorithm: "RS256")
        #expect(throws: TokenRejection.self) { try key.verify(signature: signature, message: message, algorithm: .rs256) }
        do {
            try key.verify(signature: signature, message: message, algorithm: .rs256)
        } catch {
            #expect(error.kind == .unsupportedAlgorithm)
        }
    }

    @Test("refuses private and symmetric keys")
    func refusesPrivateAndSymmetric() throws {
        let withD = try TestSigningKey.rsa().jwk(kid: "r", extra: [("d", "AQAB")])
        #expect(problem(withD)?.reason.contains("private") == true)
        #expect(problem(["kty": "oct", "k": "c2VjcmV0", "kid": "h"])?.reason.contains("symmetric") == true)
    }

    @Test("refuses a key whose use is not sig, or whose key_ops lack verify")
    func refusesEncryptionKeys() throws {
        #expect(problem(try TestSigningKey.rsa().jwk(kid: "r", extra: [("use", "enc")])) != nil)
        #expect(problem(try TestSigningKey.rsa().jwk(kid: "r", extra: [("use", "sig")])) == nil)
        #expect(problem(try TestSigningKey.rsa().jwk(kid: "r", extra: [("key_ops", ["encrypt"])])) != nil)
        #expect(problem(try TestSigningKey.rsa().jwk(kid: "r", extra: [("key_ops", ["verify"])])) == nil)
    }

    @Test("refuses an RSA modulus under 2048 bits")
    func refusesSmallRSA() throws {
        let small = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        let refused = problem(try TestSigningKey.rsa(small).jwk(kid: "small"))
        #expect(refused?.reason.contains("1024 bits") == true)
        #expect(refused?.keyID == "small")
    }

    @Test("refuses an alg that does not fit the key type, and unknown algs")
    func refusesMismatchedDeclaredAlgorithm() throws {
        #expect(problem(try TestSigningKey.rsa().jwk(kid: "r", alg: "ES256")) != nil)
        #expect(problem(try TestSigningKey.p256(P256.Signing.PrivateKey()).jwk(kid: "e", alg: "ES384")) != nil)
        #expect(problem(try TestSigningKey.rsa().jwk(kid: "r", alg: "HS256")) != nil)
        #expect(problem(try TestSigningKey.rsa().jwk(kid: "r", alg: "RSA-OAEP")) != nil)
    }

    @Test("refuses unsupported curves, short coordinates and points off the curve")
    func refusesBadCurves() throws {
        let good = try TestSigningKey.p256(P256.Signing.PrivateKey()).jwk(kid: "e")
        guard case .object(var object) = good else { throw TestSetupError("not an object") }
        object["crv"] = "P-521"
        #expect(problem(.object(object)) != nil)
        object["crv"] = "P-256"
        object["y"] = .string(TestBase64URL.encode([UInt8](repeating: 1, count: 32)))
        #expect(problem(.object(object))?.reason.contains("not a point") == true)
        object["y"] = .string(TestBase64URL.encode([UInt8](repeating: 1, count: 31)))
        #expect(problem(.object(object)) != nil)
        #expect(problem(["kty": "OKP", "crv": "X25519", "x": .string(TestBase64URL.encode([UInt8](repeating: 9, count: 32)))]) != nil)
    }

    @Test("refuses a missing kty, a non-string kid and non-base64url members")
    func refusesMalformedMembers() throws {
        #expect(problem(["n": "AQAB", "e": "AQAB"]) != nil)
        #expect(problem(try TestSigningKey.rsa().jwk(kid: nil, extra: [("kid", 7)])) != nil)
        #expect(problem(["kty": "RSA", "n": "AQAB==", "e": "AQAB"]) != nil)
    }

    @Test("verifies each algorithm with its key, and nothing across key types")
    func verifiesAcrossTypes() throws {
        let message = Array("eyJhbGciOiJFUzI1NiJ9.e30".utf8)
        let p256 = TestSigningKey.p256(P256.Signing.PrivateKey())
        let ecKey = try parse(try p256.jwk(kid: "e"))
        let ecSignature = try p256.sign(message, algorithm: "ES256")
        try ecKey.verify(signature: ecSignature, message: message, algorithm: .es256)
        var flipped = ecSignature
        flipped[5] ^= 1
        #expect(throws: TokenRejection.self) { try ecKey.verify(signature: flipped, message: message, algorithm: .es256) }
        #expect(throws: TokenRejection.self) { try ecKey.verify(signature: ecSignature, message: message + [0x2E], algorithm: .es256) }
        let rsaKey = try parse(try TestSigningKey.rsa().jwk(kid: "r"))
        #expect(throws: TokenRejection.self) { try rsaKey.verify(signature: ecSignature, message: message, algorithm: .es256) }
    }
}
