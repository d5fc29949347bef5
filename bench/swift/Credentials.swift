import Crypto
import Foundation
import OrdinautAuth
import OrdinautCore

/// The access layer's share of an authenticated request: a credential checked through the chain the
/// server uses, with the answer already cached (the state of every request after a client's first).
/// Prints one JSON object per authenticator, like the other W9 measurements.
func benchCredentialChecks() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ordinaut-bench-\(UInt32.random(in: 0 ... .max))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let fileToken = "bench-token-0123456789abcdef0123456789abcdef"
    let tokensPath = folder.appendingPathComponent("tokens.json").path
    try Data(#"{"tokens": [{"name": "bench", "sha256": "\#(TokenDigest.hex(of: fileToken))", "scopes": ["mcp"]}]}"#.utf8)
        .write(to: URL(fileURLWithPath: tokensPath))
    let tokensFile = try TokensFileAuthenticator(contentsOf: tokensPath)

    struct OneAgent: AgentTokenDirectory {
        let digest: String
        func lookup(digest: String) async throws -> AgentTokenLookup {
            digest == self.digest ? .found(agentID: "a1", agentName: "bench", tokenID: "t1", scopes: ["mcp"]) : .unknown
        }
    }
    let agentToken = AgentTokenFormat.generate()
    let agents = AgentTokenAuthenticator(directory: OneAgent(digest: TokenDigest.hex(of: agentToken)), revocationDelay: .seconds(3600))

    let (oauth, jwt) = try oauthWithOneToken()
    for (label, chain, token) in [
        ("credential check: tokens file (SHA-256 + lookup)", AuthenticatorChain([tokensFile]), fileToken),
        ("credential check: tokens file, agents asked first", AuthenticatorChain([agents, tokensFile]), fileToken),
        ("credential check: agent token, cached", AuthenticatorChain([agents, tokensFile]), agentToken),
        ("credential check: OAuth ES256 JWT, cached (agents and tokens file asked first)", AuthenticatorChain([agents, tokensFile, oauth]), jwt),
    ] {
        let rounds = 200_000
        var samples: [Double] = []
        for _ in 0..<4 {
            let start = DispatchTime.now().uptimeNanoseconds
            var accepted = 0
            for _ in 0..<rounds {
                if case .authenticated = await chain.authenticate(.bearer(token)) { accepted += 1 }
            }
            precondition(accepted == rounds, "the credential was refused")
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(rounds))
        }
        samples.removeFirst()
        samples.sort()
        print(#"{"label":"\#(label)","ns_per_op":\#(String(format: "%.1f", samples[1])),"min":\#(String(format: "%.1f", samples[0])),"max":\#(String(format: "%.1f", samples[2])),"ops":\#(rounds),"checksum":0}"#)
    }
}

/// An OAuth authenticator whose issuer is served from memory, and one ES256 access token for it.
private func oauthWithOneToken() throws -> (OAuthAuthenticator, String) {
    let issuer = "https://auth.example.com"
    let resource = "https://ordinaut.example.com/mcp"
    let key = P256.Signing.PrivateKey()
    let point = Array(key.publicKey.rawRepresentation)
    let jwk: JSONValue = ["kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
                          "x": .string(base64URL(point[0..<32])), "y": .string(base64URL(point[32..<64]))]
    let documents: [String: [UInt8]] = [
        issuer + "/.well-known/oauth-authorization-server": JSONValue.object(["issuer": .string(issuer), "jwks_uri": .string(issuer + "/jwks")]).encoded(),
        issuer + "/jwks": JSONValue.object(["keys": [jwk]]).encoded(),
    ]
    struct Memory: OAuthFetcher {
        let documents: [String: [UInt8]]
        func get(_ url: String) async -> Result<HTTPDocument, FetchFailure> {
            documents[url].map { .success(HTTPDocument(status: 200, body: $0)) } ?? .success(HTTPDocument(status: 404, body: []))
        }
        func postForm(_ url: String, fields: [(String, String)], basicAuthorization: (user: String, password: String)?) async -> Result<HTTPDocument, FetchFailure> {
            .failure(FetchFailure("no introspection here"))
        }
        func postJSON(_ url: String, body: [UInt8]) async -> Result<HTTPDocument, FetchFailure> {
            .failure(FetchFailure("no registration here"))
        }
    }
    let now = Int64(Date().timeIntervalSince1970)
    let header: JSONValue = ["alg": "ES256", "kid": "k1", "typ": "at+jwt"]
    let claims: JSONValue = ["iss": .string(issuer), "aud": .string(resource), "sub": "bench", "scope": "mcp",
                             "iat": .integer(now), "exp": .integer(now + 3600)]
    let input = base64URL(header.encoded()) + "." + base64URL(claims.encoded())
    let signature = try key.signature(for: Array(input.utf8)).rawRepresentation
    let authenticator = try OAuthAuthenticator(configuration: OAuthConfiguration(issuer: issuer, resource: resource),
                                               fetcher: Memory(documents: documents))
    return (authenticator, input + "." + base64URL(Array(signature)))
}

private func base64URL(_ bytes: some Collection<UInt8>) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}
