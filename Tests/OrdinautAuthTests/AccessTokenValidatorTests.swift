import Crypto
import Foundation
import OrdinautAuth
import OrdinautCore
import Testing
import _CryptoExtras

@Suite("AccessTokenValidator: signature, then issuer, audience, times, subject and scopes")
struct AccessTokenValidatorTests {
    let validator = AccessTokenValidator(issuer: TestTokens.issuer, audiences: [TestTokens.resource])

    private func keySet(_ keys: [(TestSigningKey, String, String?)]) throws -> JSONWebKeySet {
        try JSONWebKeySet(parsing: TestTokens.keySetDocument(keys.map { try $0.0.jwk(kid: $0.1, alg: $0.2) }))
    }

    private func rsaSet() throws -> JSONWebKeySet { try keySet([(try .rsa(), "rsa-1", nil)]) }

    private func rejection(_ result: Result<AccessTokenClaims, TokenRejection>) -> TokenRejection? {
        if case .failure(let rejection) = result { return rejection }
        return nil
    }

    private func validate(_ claims: JSONValue, now: Date = TestTokens.now) throws -> Result<AccessTokenClaims, TokenRejection> {
        let token = try TestTokens.sign(claims, key: .rsa(), algorithm: "RS256", kid: "rsa-1")
        return validator.validate(token, keys: try rsaSet(), now: now)
    }

    @Test("accepts RSA tokens of each RS and PS algorithm", arguments: ["RS256", "RS384", "RS512", "PS256", "PS384"])
    func acceptsRSA(_ algorithm: String) throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: algorithm, kid: "rsa-1")
        let claims = try validator.validate(token, keys: try rsaSet(), now: TestTokens.now).get()
        #expect(claims.subject == "user-42")
        #expect(claims.scopes == ["tasks:read", "tasks:write"])
        #expect(claims.principal == Principal(subject: "oauth:user-42", displayName: "user-42", scopes: ScopeSet(["tasks:read", "tasks:write"]), method: .oauth))
    }

    @Test("accepts ES256, ES384 and EdDSA tokens")
    func acceptsECAndEdDSA() throws {
        let p256 = TestSigningKey.p256(P256.Signing.PrivateKey())
        let p384 = TestSigningKey.p384(P384.Signing.PrivateKey())
        let ed = TestSigningKey.ed25519(Curve25519.Signing.PrivateKey())
        let set = try keySet([(p256, "ec", "ES256"), (p384, "ec384", nil), (ed, "ed", nil)])
        for (key, algorithm, kid) in [(p256, "ES256", "ec"), (p384, "ES384", "ec384"), (ed, "EdDSA", "ed")] {
            let token = try TestTokens.sign(TestTokens.claims(), key: key, algorithm: algorithm, kid: kid)
            #expect(throws: Never.self) { try validator.validate(token, keys: set, now: TestTokens.now).get() }
        }
    }

    @Test("refuses HS256 keyed with the RSA public key (DER, PEM, JWK JSON): algorithm confusion")
    func refusesHMACWithPublicKey() throws {
        guard case .rsa(let privateKey) = try TestSigningKey.rsa() else { return }
        let publicKey = privateKey.publicKey
        let jwkText = try TestSigningKey.rsa().jwk(kid: "rsa-1").encodedString()
        let secrets: [[UInt8]] = [
            Array(publicKey.derRepresentation), Array(publicKey.pemRepresentation.utf8), Array(publicKey.pkcs1DERRepresentation),
            Array(jwkText.utf8),
        ]
        for secret in secrets {
            let header = TestBase64URL.encode(#"{"alg":"HS256","kid":"rsa-1","typ":"JWT"}"#)
            let input = header + "." + TestBase64URL.encode(TestTokens.claims().encodedString())
            let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
            let token = input + "." + TestBase64URL.encode(Array(mac))
            let refused = rejection(validator.validate(token, keys: try rsaSet(), now: TestTokens.now))
            #expect(refused?.kind == .unsupportedAlgorithm)
        }
    }

    @Test("refuses alg none with an empty or made-up signature")
    func refusesNone() throws {
        let input = TestBase64URL.encode(#"{"alg":"none"}"#) + "." + TestBase64URL.encode(TestTokens.claims().encodedString())
        #expect(rejection(validator.validate(input + ".", keys: try rsaSet(), now: TestTokens.now)) != nil)
        #expect(rejection(validator.validate(input + ".c2ln", keys: try rsaSet(), now: TestTokens.now))?.kind == .unsupportedAlgorithm)
    }

    @Test("refuses an ES256 header naming an RSA kid")
    func refusesAlgorithmKeyTypeMismatch() throws {
        let ec = TestSigningKey.p256(P256.Signing.PrivateKey())
        let token = try TestTokens.sign(TestTokens.claims(), key: ec, algorithm: "ES256", kid: "rsa-1")
        #expect(rejection(validator.validate(token, keys: try rsaSet(), now: TestTokens.now))?.kind == .unsupportedAlgorithm)
    }

    @Test("refuses an algorithm other than the one the JWK declares")
    func refusesJWKAlgorithmMismatch() throws {
        let set = try keySet([(try .rsa(), "rsa-1", "RS256")])
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "PS256", kid: "rsa-1")
        #expect(rejection(validator.validate(token, keys: set, now: TestTokens.now))?.kind == .unsupportedAlgorithm)
        let fitting = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "rsa-1")
        #expect(rejection(validator.validate(fitting, keys: set, now: TestTokens.now)) == nil)
    }

    @Test("refuses a tampered payload and a tampered signature")
    func refusesTampering() throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "rsa-1")
        let parts = token.split(separator: ".").map(String.init)
        let forged = TestBase64URL.encode(TestTokens.claims([("sub", "admin"), ("scope", "admin")]).encodedString())
        #expect(rejection(validator.validate(parts[0] + "." + forged + "." + parts[2], keys: try rsaSet(), now: TestTokens.now))?.kind == .invalidSignature)
        var signature = try #require(Data(base64Encoded: parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="))
        signature[10] ^= 0x01
        let tampered = parts[0] + "." + parts[1] + "." + TestBase64URL.encode(signature)
        #expect(rejection(validator.validate(tampered, keys: try rsaSet(), now: TestTokens.now))?.kind == .invalidSignature)
        let otherKey = try TestTokens.sign(TestTokens.claims(), key: .otherRSAKey(), algorithm: "RS256", kid: "rsa-1")
        #expect(rejection(validator.validate(otherKey, keys: try rsaSet(), now: TestTokens.now))?.kind == .invalidSignature)
    }

    @Test("an unknown kid is flagged so that the caller refetches the key set")
    func flagsUnknownKid() throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "rotated")
        #expect(rejection(validator.validate(token, keys: try rsaSet(), now: TestTokens.now))?.isUnknownKey == true)
        let noKid = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: nil)
        #expect(rejection(validator.validate(noKid, keys: try rsaSet(), now: TestTokens.now)) == nil)
    }

    @Test("a reason is safe in a WWW-Authenticate header whatever the token held")
    func reasonIsHeaderSafe() throws {
        let kid = "k\"\r\nSet-Cookie: session=1\\é" + String(repeating: "x", count: 500)
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: kid)
        let refused = try #require(rejection(validator.validate(token, keys: try rsaSet(), now: TestTokens.now)))
        #expect(refused.isUnknownKey)
        #expect(refused.reason.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" })
        #expect(refused.reason.contains("Set-Cookie") && refused.reason.count < 200)
        let long = TokenRejection(.malformed, String(repeating: "y", count: 5000))
        #expect(long.reason.count <= TokenRejection.maximumReasonLength + 3)
    }

    @Test("expiry: refused after exp + leeway, accepted within the leeway")
    func expiry() throws {
        let exp = Int64(TestTokens.now.timeIntervalSince1970)
        let claims = TestTokens.claims([("exp", .integer(exp)), ("iat", .integer(exp - 600))])
        #expect(rejection(try validate(claims, now: TestTokens.now.addingTimeInterval(59))) == nil)
        #expect(rejection(try validate(claims, now: TestTokens.now.addingTimeInterval(60)))?.kind == .expired)
        let strict = AccessTokenValidator(issuer: TestTokens.issuer, audiences: [TestTokens.resource], leeway: .zero)
        let token = try TestTokens.sign(claims, key: .rsa(), algorithm: "RS256", kid: "rsa-1")
        #expect(rejection(strict.validate(token, keys: try rsaSet(), now: TestTokens.now))?.kind == .expired)
    }

    @Test("refuses a missing or non-numeric exp")
    func requiresExp() throws {
        #expect(rejection(try validate(TestTokens.claims([("exp", nil)])))?.reason.contains("exp") == true)
        #expect(rejection(try validate(TestTokens.claims([("exp", "tomorrow")])))?.kind == .malformed)
    }

    @Test("refuses nbf and iat in the future beyond the leeway")
    func futureTimes() throws {
        let seconds = Int64(TestTokens.now.timeIntervalSince1970)
        #expect(rejection(try validate(TestTokens.claims([("nbf", .integer(seconds + 120))])))?.kind == .invalidClaims)
        #expect(rejection(try validate(TestTokens.claims([("nbf", .integer(seconds + 30))]))) == nil)
        #expect(rejection(try validate(TestTokens.claims([("iat", .integer(seconds + 120))])))?.kind == .invalidClaims)
        #expect(rejection(try validate(TestTokens.claims([("iat", .number(Double(seconds) + 30.5))]))) == nil)
    }

    @Test("refuses another issuer, and issuers that differ only by a slash or case")
    func wrongIssuer() throws {
        for issuer in ["https://evil.example.com", TestTokens.issuer + "/", "https://AUTH.example.com"] {
            #expect(rejection(try validate(TestTokens.claims([("iss", .string(issuer))])))?.kind == .invalidClaims)
        }
        #expect(rejection(try validate(TestTokens.claims([("iss", nil)])))?.kind == .invalidClaims)
    }

    @Test("audience: a string or an array that contains this resource")
    func audience() throws {
        #expect(rejection(try validate(TestTokens.claims([("aud", "https://other.example.com")])))?.kind == .invalidClaims)
        #expect(rejection(try validate(TestTokens.claims([("aud", ["https://other.example.com", .string(TestTokens.resource)])]))) == nil)
        #expect(rejection(try validate(TestTokens.claims([("aud", ["https://other.example.com"])])))?.kind == .invalidClaims)
        #expect(rejection(try validate(TestTokens.claims([("aud", [])])))?.kind == .invalidClaims)
        #expect(rejection(try validate(TestTokens.claims([("aud", nil)])))?.kind == .invalidClaims)
        #expect(rejection(try validate(TestTokens.claims([("aud", 5)])))?.kind == .malformed)
        let aliases = AccessTokenValidator(issuer: TestTokens.issuer, audiences: [TestTokens.resource, "ordinaut-api"])
        let token = try TestTokens.sign(TestTokens.claims([("aud", "ordinaut-api")]), key: .rsa(), algorithm: "RS256", kid: "rsa-1")
        #expect(rejection(aliases.validate(token, keys: try rsaSet(), now: TestTokens.now)) == nil)
    }

    @Test("scopes from scope, else from scp as an array or a string")
    func scopes() throws {
        #expect(try validate(TestTokens.claims([("scope", "a b  c")])).get().scopes == ["a", "b", "c"])
        #expect(try validate(TestTokens.claims([("scope", nil), ("scp", ["a", "b"])])).get().scopes == ["a", "b"])
        #expect(try validate(TestTokens.claims([("scope", nil), ("scp", "a b")])).get().scopes == ["a", "b"])
        #expect(try validate(TestTokens.claims([("scope", "x"), ("scp", ["y"])])).get().scopes == ["x"])
        #expect(try validate(TestTokens.claims([("scope", nil)])).get().scopes == [])
        #expect(rejection(try validate(TestTokens.claims([("scope", ["a"])])))?.kind == .malformed)
    }

    @Test("requires sub: no fallback to client_id for a JWT")
    func requiresSubject() throws {
        let refused = rejection(try validate(TestTokens.claims([("sub", nil)])))
        #expect(refused?.kind == .invalidClaims)
        #expect(refused?.reason.contains("sub") == true)
    }

    @Test("typ: at+jwt or JWT in any case, with or without application/", arguments: [
        ("at+jwt", true), ("AT+JWT", true), ("application/at+jwt", true), ("JWT", true), ("jwt", true),
        ("application/jwt", true), ("id_token+jwt", false), ("JOSE", false), ("at+jwt ", false),
    ])
    func type(_ example: (String, Bool)) throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "rsa-1", typ: example.0)
        let refused = rejection(validator.validate(token, keys: try rsaSet(), now: TestTokens.now))
        #expect((refused == nil) == example.1)
    }
}
