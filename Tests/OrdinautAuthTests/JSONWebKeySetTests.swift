import Crypto
import OrdinautAuth
import OrdinautCore
import Testing

@Suite("JSONWebKeySet: bounded, skipping unusable keys with a reason")
struct JSONWebKeySetTests {
    @Test("keeps usable keys and reports why the others were skipped")
    func skipsWithReasons() throws {
        let document = TestTokens.keySetDocument([
            try TestSigningKey.rsa().jwk(kid: "good"),
            ["kty": "oct", "kid": "hmac", "k": "c2VjcmV0"],
            try TestSigningKey.rsa().jwk(kid: "enc", extra: [("use", "enc")]),
            "not an object",
            try TestSigningKey.p256(P256.Signing.PrivateKey()).jwk(kid: "ec"),
        ])
        let set = try JSONWebKeySet(parsing: document)
        #expect(set.keys.map(\.keyID) == ["good", "ec"])
        #expect(set.skipped.count == 3)
        #expect(set.skipped.contains { $0.keyID == "hmac" && $0.reason.contains("symmetric") })
    }

    @Test("refuses a document without any usable key, so a cache keeps the old keys")
    func refusesNoUsableKey() {
        #expect(throws: JSONWebKeySetProblem.self) { try JSONWebKeySet(parsing: TestTokens.keySetDocument([])) }
        #expect(throws: JSONWebKeySetProblem.self) {
            try JSONWebKeySet(parsing: TestTokens.keySetDocument([["kty": "oct", "k": "c2VjcmV0"]]))
        }
        #expect(throws: JSONWebKeySetProblem.self) { try JSONWebKeySet(parsing: Array("<html>".utf8)) }
        #expect(throws: JSONWebKeySetProblem.self) { try JSONWebKeySet(parsing: Array(#"{"keys":{}}"#.utf8)) }
    }

    @Test("refuses more than 64 keys and documents over 256 KiB")
    func refusesOversized() throws {
        let key = try TestSigningKey.ed25519(Curve25519.Signing.PrivateKey()).jwk(kid: "k")
        #expect(throws: JSONWebKeySetProblem.self) { try JSONWebKeySet(parsing: TestTokens.keySetDocument(Array(repeating: key, count: 65))) }
        _ = try JSONWebKeySet(parsing: TestTokens.keySetDocument([key]))
        let padded = Array(#"{"keys":[],"pad":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 256 * 1024) + Array(#""}"#.utf8)
        #expect(throws: JSONWebKeySetProblem.self) { try JSONWebKeySet(parsing: padded) }
    }

    @Test("chooses by kid; without a kid only when exactly one key fits the algorithm")
    func choosesKeys() throws {
        let ec = try JSONWebKey(parsing: try TestSigningKey.p256(P256.Signing.PrivateKey()).jwk(kid: "ec").encoded())
        let rsa = try JSONWebKey(parsing: try TestSigningKey.rsa().jwk(kid: "rsa").encoded())
        let rsa2 = try JSONWebKey(parsing: try TestSigningKey.otherRSAKey().jwk(kid: "rsa2").encoded())
        let set = JSONWebKeySet(keys: [ec, rsa, rsa2])
        #expect(try set.key(for: "rsa", algorithm: .rs256).get().keyID == "rsa")
        #expect(try set.key(for: nil, algorithm: .es256).get().keyID == "ec")
        guard case .failure(let ambiguous) = set.key(for: nil, algorithm: .rs256) else {
            Issue.record("two RSA keys and no kid must be refused")
            return
        }
        #expect(!ambiguous.isUnknownKey)
        guard case .failure(let unknown) = set.key(for: "gone", algorithm: .rs256) else {
            Issue.record("an unknown kid must be refused")
            return
        }
        #expect(unknown.isUnknownKey)
        guard case .failure(let mismatch) = set.key(for: "rsa", algorithm: .es256) else {
            Issue.record("ES256 with an RSA kid must be refused")
            return
        }
        #expect(mismatch.kind == .unsupportedAlgorithm)
    }
}
