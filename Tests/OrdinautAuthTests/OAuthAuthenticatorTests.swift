import Crypto
import Foundation
import OrdinautAuth
import OrdinautCore
import Testing

@Suite("OAuthAuthenticator: lazy discovery, cached acceptances, its place in the chain")
struct OAuthAuthenticatorTests {
    static let metadataURL = "https://auth.example.com/.well-known/oauth-authorization-server"
    static let jwksURL = "https://auth.example.com/jwks"
    static let introspectionURL = "https://auth.example.com/introspect"

    /// An authenticator over a fake authorization server that publishes the shared RSA key as `rsa-1`.
    struct Harness {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        let authenticator: OAuthAuthenticator

        init(_ configure: (inout OAuthConfiguration) -> Void = { _ in }) throws {
            var configuration = OAuthConfiguration(issuer: TestTokens.issuer, resource: TestTokens.resource)
            configure(&configuration)
            fetcher.serve(OAuthAuthenticatorTests.metadataURL, body: JSONValue.object([
                "issuer": .string(TestTokens.issuer), "jwks_uri": .string(OAuthAuthenticatorTests.jwksURL),
                "introspection_endpoint": .string(OAuthAuthenticatorTests.introspectionURL),
            ]).encoded())
            fetcher.serve(OAuthAuthenticatorTests.jwksURL, body: TestTokens.keySetDocument([try TestSigningKey.rsa().jwk(kid: "rsa-1")]))
            authenticator = try OAuthAuthenticator(configuration: configuration, fetcher: fetcher, clock: clock.closure)
        }

        func token(_ changes: [(String, JSONValue?)] = [], kid: String = "rsa-1", key: TestSigningKey? = nil) throws -> String {
            try TestTokens.sign(TestTokens.claims(at: clock.now, changes), key: key ?? .rsa(), algorithm: "RS256", kid: kid)
        }

        func authenticate(_ token: String) async -> AuthenticationResult {
            await authenticator.authenticate(.bearer(token))
        }
    }

    private func rejectionReason(_ result: AuthenticationResult) -> String? {
        if case .rejected(let reason) = result { return reason }
        return nil
    }

    @Test("discovers on first use and accepts a valid JWT as an oauth principal")
    func acceptsValidToken() async throws {
        let harness = try Harness()
        #expect(harness.fetcher.count(Self.metadataURL) == 0, "construction must not do I/O")
        let result = await harness.authenticate(try harness.token())
        #expect(result == .authenticated(Principal(
            subject: "oauth:user-42", displayName: "user-42", scopes: ScopeSet(["tasks:read", "tasks:write"]), method: .oauth)))
        #expect(harness.fetcher.count(Self.metadataURL) == 1 && harness.fetcher.count(Self.jwksURL) == 1)
        #expect(harness.authenticator.name == "oauth")
    }

    @Test("a second presentation is answered from the cache, without another validation")
    func cachesAcceptance() async throws {
        let harness = try Harness()
        let token = try harness.token()
        let first = await harness.authenticate(token)
        let second = await harness.authenticate(token)
        #expect(first == second)
        #expect(harness.authenticator.statistics.jwtValidations == 1)
        #expect(harness.authenticator.statistics.cacheHits == 1)
    }

    @Test("the cache forgets a token at its exp, and after 5 minutes at most")
    func cacheLifetime() async throws {
        let harness = try Harness()
        let shortLived = try harness.token([("exp", .integer(Int64(harness.clock.now.timeIntervalSince1970) + 100))])
        _ = await harness.authenticate(shortLived)
        harness.clock.advance(seconds: 99)
        _ = await harness.authenticate(shortLived)
        #expect(harness.authenticator.statistics.jwtValidations == 1)
        harness.clock.advance(seconds: 1)
        #expect(await harness.authenticate(shortLived) != .unrecognized)
        #expect(harness.authenticator.statistics.jwtValidations == 2, "at exp the token must be validated again")
        harness.clock.advance(seconds: 60)
        #expect(rejectionReason(await harness.authenticate(shortLived))?.contains("expired") == true)

        let longLived = try harness.token()
        _ = await harness.authenticate(longLived)
        let validations = harness.authenticator.statistics.jwtValidations
        harness.clock.advance(seconds: 299)
        _ = await harness.authenticate(longLived)
        #expect(harness.authenticator.statistics.jwtValidations == validations)
        harness.clock.advance(seconds: 1)
        _ = await harness.authenticate(longLived)
        #expect(harness.authenticator.statistics.jwtValidations == validations + 1)
    }

    @Test("a JWT of another issuer is left to other authenticators, without any fetch")
    func otherIssuerIsUnrecognized() async throws {
        let harness = try Harness()
        let result = await harness.authenticate(try harness.token([("iss", "https://other-idp.example.com")]))
        #expect(result == .unrecognized)
        #expect(harness.fetcher.count(Self.metadataURL) == 0)
    }

    @Test("opaque tokens and proxy credentials are unrecognized without introspection")
    func opaqueIsUnrecognized() async throws {
        let harness = try Harness()
        #expect(await harness.authenticate("ord_3q9Xk2mP0vL7sT1wZ8yB") == .unrecognized)
        #expect(await harness.authenticator.authenticate(.proxy(secret: "s", user: "u", scopes: "admin")) == .unrecognized)
        #expect(harness.fetcher.count(Self.metadataURL) == 0)
    }

    @Test("a JWT of our issuer with a bad signature or claims is rejected, and the reason omits the token")
    func rejectsBadTokens() async throws {
        let harness = try Harness()
        let forged = try harness.token(key: .otherRSAKey())
        let reason = try #require(rejectionReason(await harness.authenticate(forged)))
        #expect(!reason.contains(forged) && !reason.contains(String(forged.suffix(30))))
        #expect(rejectionReason(await harness.authenticate(try harness.token([("aud", "https://other.example.com")]))) != nil)
        let noIssuer = try harness.token([("iss", nil)])
        #expect(rejectionReason(await harness.authenticate(noIssuer)) != nil)
        let none = TestBase64URL.encode(#"{"alg":"none"}"#) + "." + TestBase64URL.encode(TestTokens.claims().encodedString()) + ".c2ln"
        #expect(rejectionReason(await harness.authenticate(none)) != nil)
        #expect(harness.authenticator.statistics.cacheHits == 0)
    }

    @Test("a rotated key is found after one refetch of the key set")
    func keyRotation() async throws {
        let harness = try Harness()
        _ = await harness.authenticate(try harness.token())
        harness.fetcher.serve(Self.jwksURL, body: TestTokens.keySetDocument([
            try TestSigningKey.rsa().jwk(kid: "rsa-1"), try TestSigningKey.otherRSAKey().jwk(kid: "rsa-2"),
        ]))
        harness.clock.advance(seconds: 15)
        let rotated = try harness.token(kid: "rsa-2", key: .otherRSAKey())
        guard case .authenticated = await harness.authenticate(rotated) else {
            Issue.record("a token signed with the new key must be accepted after the refetch")
            return
        }
        #expect(harness.fetcher.count(Self.jwksURL) == 2)
        #expect(rejectionReason(await harness.authenticate(try harness.token(kid: "unheard-of"))) != nil)
        #expect(harness.fetcher.count(Self.jwksURL) == 2, "a refetch within 10 s must not happen")
        harness.clock.advance(seconds: 10)
        let unknown = rejectionReason(await harness.authenticate(try harness.token(kid: "still-unheard-of")))
        #expect(unknown?.contains("kid") == true)
        #expect(harness.fetcher.count(Self.jwksURL) == 3, "after 10 s an unknown kid refetches once more")
    }

    @Test("starts while the authorization server is down: unavailable, retried after 10 s, then working")
    func lazyDiscoveryWithRetry() async throws {
        let harness = try Harness()
        harness.fetcher.fail(Self.metadataURL, "connection refused")
        harness.fetcher.fail("https://auth.example.com/.well-known/openid-configuration", "connection refused")
        let token = try harness.token()
        guard case .unavailable(let reason) = await harness.authenticate(token) else {
            Issue.record("tokens must be unavailable while discovery fails")
            return
        }
        #expect(reason.contains("connection refused"))
        #expect(await harness.authenticator.metadataProblem()?.contains("connection refused") == true)
        harness.clock.advance(seconds: 5)
        guard case .unavailable = await harness.authenticate(token) else {
            Issue.record("within 10 s of a failed discovery tokens stay unavailable")
            return
        }
        #expect(harness.fetcher.count(Self.metadataURL) == 1)

        harness.fetcher.serve(Self.metadataURL, body: JSONValue.object([
            "issuer": .string(TestTokens.issuer), "jwks_uri": .string(Self.jwksURL),
        ]).encoded())
        harness.clock.advance(seconds: 5)
        guard case .authenticated = await harness.authenticate(token) else {
            Issue.record("discovery must be retried after 10 s")
            return
        }
        #expect(harness.fetcher.count(Self.metadataURL) == 2)
        #expect(await harness.authenticator.metadataProblem() == nil)
    }

    @Test("concurrent first tokens share one discovery and one key set fetch")
    func discoveryIsShared() async throws {
        let harness = try Harness()
        harness.fetcher.hold(Self.metadataURL)
        let token = try harness.token()
        let results = await withTaskGroup(of: AuthenticationResult.self) { group in
            for _ in 0..<6 { group.addTask { await harness.authenticate(token) } }
            await harness.fetcher.waitForRequests(to: Self.metadataURL, count: 1)
            try? await Task.sleep(for: .milliseconds(20))
            harness.fetcher.release(Self.metadataURL)
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 6)
        #expect(results.allSatisfy { if case .authenticated = $0 { true } else { false } })
        #expect(harness.fetcher.count(Self.metadataURL) == 1 && harness.fetcher.count(Self.jwksURL) == 1)
    }

    @Test("an unreachable key set makes tokens unavailable (503), not rejected")
    func keySetDown() async throws {
        let harness = try Harness()
        harness.fetcher.fail(Self.jwksURL, "connection reset")
        guard case .unavailable(let reason) = await harness.authenticate(try harness.token()) else {
            Issue.record("tokens must be unavailable while the key set cannot be fetched")
            return
        }
        #expect(reason.contains("connection reset"))
        #expect(await harness.authenticator.metadataProblem()?.contains("connection reset") == true)
    }

    @Test("metadata that names another issuer keeps every token unavailable")
    func issuerMismatch() async throws {
        let harness = try Harness()
        harness.fetcher.serve(Self.metadataURL, body: JSONValue.object([
            "issuer": "https://evil.example.com", "jwks_uri": .string(Self.jwksURL),
        ]).encoded())
        guard case .unavailable = await harness.authenticate(try harness.token()) else {
            Issue.record("a mismatched issuer must not be trusted")
            return
        }
        #expect(harness.fetcher.count(Self.jwksURL) == 0)
        #expect(await harness.authenticator.metadataProblem()?.contains("evil.example.com") == true)
    }

    @Test("a configured JWKS URL skips discovery")
    func jwksOverride() async throws {
        let harness = try Harness { $0.jwksURL = "https://keys.example.com/jwks" }
        harness.fetcher.serve("https://keys.example.com/jwks", body: TestTokens.keySetDocument([try TestSigningKey.rsa().jwk(kid: "rsa-1")]))
        guard case .authenticated = await harness.authenticate(try harness.token()) else {
            Issue.record("the configured key set must be used")
            return
        }
        #expect(harness.fetcher.count(Self.metadataURL) == 0 && harness.fetcher.count(Self.jwksURL) == 0)
    }

    @Test("refuses an http issuer on a public host at construction, allows loopback")
    func configurationURLs() throws {
        #expect(throws: ConfigurationProblem.self) {
            try OAuthAuthenticator(configuration: OAuthConfiguration(issuer: "http://auth.example.com", resource: TestTokens.resource), fetcher: InMemoryOAuthFetcher())
        }
        #expect(throws: ConfigurationProblem.self) {
            try OAuthAuthenticator(configuration: OAuthConfiguration(issuer: "http://127.0.0.1.evil.example", resource: TestTokens.resource), fetcher: InMemoryOAuthFetcher())
        }
        #expect(throws: ConfigurationProblem.self) {
            try OAuthAuthenticator(configuration: OAuthConfiguration(
                issuer: TestTokens.issuer, resource: TestTokens.resource, jwksURL: "http://keys.example.com/jwks"), fetcher: InMemoryOAuthFetcher())
        }
        _ = try OAuthAuthenticator(configuration: OAuthConfiguration(issuer: "http://127.0.0.1:9000", resource: "http://localhost:8080/mcp"), fetcher: InMemoryOAuthFetcher())
    }

    @Test("opaque tokens go to introspection when configured; acceptances are cached, inactive tokens rejected")
    func introspection() async throws {
        let harness = try Harness { $0.introspection = .init(clientID: "ordinaut-rs", clientSecret: "s3cret") }
        let exp = Int64(harness.clock.now.timeIntervalSince1970) + 600
        harness.fetcher.onPost(Self.introspectionURL) { fields in
            let active = fields.contains { $0 == ("token", "good-opaque") }
            let body: JSONValue = active
                ? ["active": true, "sub": "user-9", "scope": "tasks:read", "aud": .string(TestTokens.resource), "exp": .integer(exp)]
                : ["active": false]
            return .success(HTTPDocument(status: 200, body: body.encoded()))
        }
        let accepted = await harness.authenticate("good-opaque")
        #expect(accepted == .authenticated(Principal(subject: "oauth:user-9", displayName: "user-9", scopes: ScopeSet(["tasks:read"]), method: .oauth)))
        #expect(await harness.authenticate("good-opaque") == accepted)
        #expect(harness.authenticator.statistics.introspections == 1)
        #expect(rejectionReason(await harness.authenticate("revoked-opaque"))?.contains("not active") == true)
        #expect(harness.fetcher.posts.map { $0.user } == ["ordinaut-rs", "ordinaut-rs"])
    }

    @Test("the introspection settings never print the client secret")
    func secretIsRedacted() {
        let settings = OAuthConfiguration.Introspection(clientID: "ordinaut-rs", clientSecret: "s3cret-value")
        #expect(!"\(settings)".contains("s3cret-value"))
        #expect("\(settings)".contains("ordinaut-rs"))
        let configuration = OAuthConfiguration(issuer: TestTokens.issuer, resource: TestTokens.resource, introspection: settings)
        #expect(!"\(configuration)".contains("s3cret-value"))
        #expect(!String(reflecting: configuration).contains("s3cret-value"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("s3cret-value") && dumped.contains("ordinaut-rs"))
    }

    @Test("a cached check is a digest and a lookup (measured; the bound is loose for debug builds)")
    func cachedCheckIsCheap() async throws {
        let harness = try Harness()
        let token = try harness.token()
        _ = await harness.authenticate(token)
        let rounds = 20_000
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            for _ in 0..<rounds { _ = await harness.authenticator.authenticate(.bearer(token)) }
        }
        let perCall = elapsed / rounds
        print("cached OAuth check: \(perCall) per call (token \(token.utf8.count) bytes)")
        #expect(harness.authenticator.statistics.jwtValidations == 1)
        #expect(perCall < .microseconds(100))
    }
}
