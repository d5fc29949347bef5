import Foundation
import OrdinautAuth
import OrdinautCore
import Testing

@Suite("IntrospectionClient: RFC 7662 with client credentials, claims checked when present")
struct IntrospectionClientTests {
    static let endpoint = "https://auth.example.com/introspect"

    private func client(_ fetcher: InMemoryOAuthFetcher) throws -> IntrospectionClient {
        IntrospectionClient(
            endpoint: try OAuthURL(parsing: Self.endpoint, setting: "test"), clientID: "ordinaut-rs", clientSecret: "s3cret",
            fetcher: fetcher, validator: AccessTokenValidator(issuer: TestTokens.issuer, audiences: [TestTokens.resource]))
    }

    private func answering(_ response: JSONValue, status: Int = 200) -> InMemoryOAuthFetcher {
        let fetcher = InMemoryOAuthFetcher()
        let body = response.encoded()
        fetcher.onPost(Self.endpoint) { _ in .success(HTTPDocument(status: status, body: body)) }
        return fetcher
    }

    private func rejection(_ result: Result<AccessTokenClaims, TokenRejection>) -> TokenRejection? {
        if case .failure(let rejection) = result { return rejection }
        return nil
    }

    @Test("an active token yields its claims; the token and our credentials are posted")
    func active() async throws {
        let exp = Int64(TestTokens.now.timeIntervalSince1970) + 600
        let fetcher = answering([
            "active": true, "sub": "user-7", "client_id": "mcp-client", "scope": "tasks:read", "iss": .string(TestTokens.issuer),
            "aud": .string(TestTokens.resource), "exp": .integer(exp),
        ])
        let claims = try await client(fetcher).introspect("opaque-token-value", now: TestTokens.now).get()
        #expect(claims.subject == "user-7" && claims.scopes == ["tasks:read"])
        #expect(claims.principal?.subject == "oauth:user-7")
        let post = try #require(fetcher.posts.first)
        #expect(post.url == Self.endpoint)
        #expect(post.field("token") == "opaque-token-value")
        #expect(post.user == "ordinaut-rs" && post.password == "s3cret")
    }

    @Test("an inactive token is rejected as inactive")
    func inactive() async throws {
        let refused = rejection(try await client(answering(["active": false])).introspect("t", now: TestTokens.now))
        #expect(refused?.kind == .inactive)
    }

    @Test("a stated audience, issuer or expiry must fit, as for a JWT")
    func checksStatedClaims() async throws {
        let past = Int64(TestTokens.now.timeIntervalSince1970) - 3600
        let wrongAudience = rejection(try await client(answering(["active": true, "sub": "u", "aud": "https://other.example.com"])).introspect("t", now: TestTokens.now))
        #expect(wrongAudience?.kind == .invalidClaims)
        let wrongIssuer = rejection(try await client(answering(["active": true, "sub": "u", "iss": "https://evil.example.com"])).introspect("t", now: TestTokens.now))
        #expect(wrongIssuer?.kind == .invalidClaims)
        let expired = rejection(try await client(answering(["active": true, "sub": "u", "exp": .integer(past)])).introspect("t", now: TestTokens.now))
        #expect(expired?.kind == .expired)
        let bare = try await client(answering(["active": true, "sub": "u"])).introspect("t", now: TestTokens.now)
        #expect(rejection(bare) == nil)
    }

    @Test("without sub the client acts for itself, in a namespace of its own")
    func clientFallback() async throws {
        let claims = try await client(answering(["active": true, "client_id": "batch-job", "scope": "tasks:read"])).introspect("t", now: TestTokens.now).get()
        #expect(claims.principal?.subject == "oauth-client:batch-job")
        #expect(claims.principal?.displayName == "batch-job")
        #expect(rejection(try await client(answering(["active": true])).introspect("t", now: TestTokens.now))?.kind == .invalidClaims)
    }

    @Test("refused credentials, server errors and garbage are unavailable, not the bearer's fault")
    func serverProblems() async throws {
        let refused = rejection(try await client(answering(["error": "invalid_client"], status: 401)).introspect("t", now: TestTokens.now))
        #expect(refused?.kind == .unavailable && refused?.reason.contains("client id and secret") == true)
        #expect(rejection(try await client(answering([:], status: 500)).introspect("t", now: TestTokens.now))?.kind == .unavailable)
        #expect(rejection(try await client(answering(["active": "yes"])).introspect("t", now: TestTokens.now))?.kind == .unavailable)
        let down = InMemoryOAuthFetcher()
        down.onPost(Self.endpoint) { _ in .failure(FetchFailure("connection refused")) }
        #expect(rejection(try await client(down).introspect("t", now: TestTokens.now))?.kind == .unavailable)
    }
}
