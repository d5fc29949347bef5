import Foundation
import OrdinautCore

/// Builds signed compact JWS tokens and standard claims for the tests.
enum TestTokens {
    static let issuer = "https://auth.example.com"
    static let resource = "https://ordinaut.example.com/mcp"
    /// 2023-11-14T22:13:20Z: a fixed "now" for the pure tests.
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Claims that pass every rule at ``now``; `changes` replace members, or remove them with `nil`.
    static func claims(at now: Date = now, _ changes: [(String, JSONValue?)] = []) -> JSONValue {
        let seconds = Int64(now.timeIntervalSince1970)
        var object: JSONObject = [
            "iss": .string(issuer), "aud": .string(resource), "sub": "user-42", "client_id": "mcp-client",
            "exp": .integer(seconds + 3600), "iat": .integer(seconds - 10), "scope": "tasks:read tasks:write",
        ]
        for (name, value) in changes { object[name] = value }
        return .object(object)
    }

    /// A token signed by `key` with `algorithm`; the header gets `alg`, `kid` (if given) and `typ`.
    static func sign(
        _ payload: JSONValue, key: TestSigningKey, algorithm: String, kid: String?, typ: String? = "at+jwt",
        extraHeader: [(String, JSONValue)] = []
    ) throws -> String {
        var header: [(String, JSONValue)] = [("alg", .string(algorithm))]
        if let kid { header.append(("kid", .string(kid))) }
        if let typ { header.append(("typ", .string(typ))) }
        header.append(contentsOf: extraHeader)
        return try sign(headerJSON: JSONValue.object(JSONObject(header)).encodedString(), payloadJSON: payload.encodedString(), key: key, algorithm: algorithm)
    }

    /// A token of exactly this header and payload text, signed by `key`.
    static func sign(headerJSON: String, payloadJSON: String, key: TestSigningKey, algorithm: String) throws -> String {
        let input = TestBase64URL.encode(headerJSON) + "." + TestBase64URL.encode(payloadJSON)
        return input + "." + TestBase64URL.encode(try key.sign(Array(input.utf8), algorithm: algorithm))
    }

    /// A JWK Set document holding `keys`.
    static func keySetDocument(_ keys: [JSONValue]) -> [UInt8] {
        JSONValue.object(["keys": .array(keys)]).encoded()
    }
}
