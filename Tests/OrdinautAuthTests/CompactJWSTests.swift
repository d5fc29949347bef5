import OrdinautAuth
import OrdinautCore
import Testing

@Suite("CompactJWS: shape and header refusals before any key is touched")
struct CompactJWSTests {
    private func rejection(_ token: String) -> TokenRejection? {
        do {
            _ = try CompactJWS(parsing: token)
            return nil
        } catch {
            return error
        }
    }

    private func unsigned(header: String, payload: String = #"{"sub":"x"}"#, signature: String = "c2ln") -> String {
        TestBase64URL.encode(header) + "." + TestBase64URL.encode(payload) + "." + signature
    }

    @Test("parses a signed token and keeps the exact signing input")
    func parsesSignedToken() throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "k1")
        let jws = try CompactJWS(parsing: token)
        #expect(jws.algorithm == .rs256)
        #expect(jws.keyID == "k1")
        #expect(jws.type == "at+jwt")
        #expect(jws.payload["sub"] == "user-42")
        let dot = try #require(token.lastIndex(of: "."))
        #expect(jws.signingInput == Array(token[..<dot].utf8))
        #expect(jws.signature.count == 256)
    }

    @Test("refuses 2 and 4 segments, and says so for 5 (JWE)", arguments: [2, 4, 5])
    func refusesWrongSegmentCount(_ count: Int) {
        let token = Array(repeating: TestBase64URL.encode(#"{"alg":"RS256"}"#), count: count).joined(separator: ".")
        let refused = rejection(token)
        #expect(refused?.kind == .malformed)
        #expect(refused?.reason.contains(count == 5 ? "JWE" : "3 dot-separated segments") == true)
    }

    @Test("refuses padding and characters outside base64url in any segment")
    func refusesBadBase64URL() {
        let good = unsigned(header: #"{"alg":"RS256"}"#)
        #expect(rejection(good) == nil)
        #expect(rejection(good + "==")?.kind == .malformed)
        let parts = good.split(separator: ".").map(String.init)
        #expect(rejection(parts[0] + "=." + parts[1] + "." + parts[2])?.kind == .malformed)
        #expect(rejection(parts[0] + "." + parts[1] + "+." + parts[2])?.kind == .malformed)
        #expect(rejection(parts[0] + "." + parts[1] + ".")?.kind == .malformed)
    }

    @Test("refuses a token over 8 KiB without decoding it")
    func refusesOversizedToken() {
        let payload = #"{"pad":""# + String(repeating: "a", count: 6200) + #""}"#
        let token = unsigned(header: #"{"alg":"RS256"}"#, payload: payload)
        #expect(token.utf8.count > CompactJWS.maximumLength)
        #expect(rejection(token)?.reason.contains("at most 8192") == true)
        #expect(!CompactJWS.looksLikeJWT(token))
    }

    @Test("refuses deeply nested JSON in the header")
    func refusesDeepHeader() {
        let nested = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let refused = rejection(unsigned(header: #"{"alg":"RS256","x":"# + nested + "}"))
        #expect(refused?.kind == .malformed)
        #expect(refused?.reason.contains("deeper") == true)
    }

    @Test("refuses a header or payload that is not a JSON object", arguments: [
        (#"["RS256"]"#, #"{"sub":"x"}"#), (#"{"alg":"RS256"}"#, #"["sub"]"#), (#"{"alg":"RS256"}"#, "42"),
        (#"{"alg":"RS256"}"#, "not json"), (#"{"alg":"RS256","alg":"none"}"#, "{}"),
    ])
    func refusesNonObjects(_ parts: (String, String)) {
        #expect(rejection(unsigned(header: parts.0, payload: parts.1))?.kind == .malformed)
    }

    @Test("refuses alg none in any spelling, HS*, unknown and missing algorithms", arguments: [
        #"{"alg":"none"}"#, #"{"alg":"None"}"#, #"{"alg":"NONE"}"#, #"{"alg":"HS256"}"#, #"{"alg":"HS512"}"#,
        #"{"alg":"RS1"}"#, #"{"alg":"ES256K"}"#, #"{"alg":""}"#,
    ])
    func refusesAlgorithms(_ header: String) {
        #expect(rejection(unsigned(header: header))?.kind == .unsupportedAlgorithm)
    }

    @Test("refuses a header without a string alg")
    func refusesMissingAlgorithm() {
        #expect(rejection(unsigned(header: #"{"typ":"JWT"}"#))?.kind == .malformed)
        #expect(rejection(unsigned(header: #"{"alg":256}"#))?.kind == .malformed)
    }

    @Test("refuses crit and the headers that point at or carry a key", arguments: ["crit", "jku", "x5u", "jwk", "x5c"])
    func refusesKeyReferenceHeaders(_ name: String) throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "k1", extraHeader: [(name, "https://evil.example/keys")])
        let refused = rejection(token)
        #expect(refused?.kind == .forbiddenHeader)
        #expect(refused?.reason.contains(name) == true)
        #expect(refused?.reason.contains("evil.example") == false)
    }

    @Test("a rejection never quotes the token")
    func reasonOmitsToken() throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "k1")
        let refused = try #require(rejection(token + "."))
        #expect(!refused.reason.contains(token))
        #expect(!refused.reason.contains(String(token.prefix(20))))
    }

    @Test("tells JWTs from opaque tokens and reads an unverified issuer")
    func looksLikeJWT() throws {
        let token = try TestTokens.sign(TestTokens.claims(), key: .rsa(), algorithm: "RS256", kid: "k1")
        #expect(CompactJWS.looksLikeJWT(token))
        #expect(CompactJWS.unverifiedIssuer(of: token) == TestTokens.issuer)
        #expect(!CompactJWS.looksLikeJWT("kq3bJ9hQ0z1v8s-_Xx7Yy2Ww"))
        #expect(!CompactJWS.looksLikeJWT("a.b.c"))
        #expect(!CompactJWS.looksLikeJWT(TestBase64URL.encode(#"{"typ":"JWT"}"#) + ".e30.c2ln"))
    }
}
