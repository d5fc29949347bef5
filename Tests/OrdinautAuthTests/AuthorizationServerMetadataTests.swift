import OrdinautAuth
import OrdinautCore
import Testing

@Suite("AuthorizationServerMetadata: RFC 8414 then OIDC discovery, issuer checked exactly")
struct AuthorizationServerMetadataTests {
    private func issuer(_ text: String) throws -> OAuthURL { try OAuthURL(parsing: text, setting: "test") }

    private func document(issuer: String, jwks: String = "https://auth.example.com/jwks") -> [UInt8] {
        JSONValue.object([
            "issuer": .string(issuer), "jwks_uri": .string(jwks),
            "introspection_endpoint": "https://auth.example.com/introspect", "response_types_supported": ["code"],
        ]).encoded()
    }

    @Test("RFC 8414 §3.1 inserts the well-known segment before the issuer's path; OIDC appends", arguments: [
        ("https://auth.example.com", "https://auth.example.com/.well-known/oauth-authorization-server",
         "https://auth.example.com/.well-known/openid-configuration"),
        ("https://auth.example.com/", "https://auth.example.com/.well-known/oauth-authorization-server",
         "https://auth.example.com/.well-known/openid-configuration"),
        ("https://kc.example.com/realms/ops", "https://kc.example.com/.well-known/oauth-authorization-server/realms/ops",
         "https://kc.example.com/realms/ops/.well-known/openid-configuration"),
        ("https://kc.example.com:8443/tenant/", "https://kc.example.com:8443/.well-known/oauth-authorization-server/tenant",
         "https://kc.example.com:8443/tenant/.well-known/openid-configuration"),
    ])
    func discoveryURLs(_ example: (String, String, String)) throws {
        #expect(AuthorizationServerMetadata.discoveryURLs(forIssuer: try issuer(example.0)) == [example.1, example.2])
    }

    @Test("reads jwks_uri and introspection_endpoint from the RFC 8414 document")
    func readsRFC8414() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.serve("https://kc.example.com/.well-known/oauth-authorization-server/realms/ops", body: document(issuer: "https://kc.example.com/realms/ops"))
        let metadata = try await AuthorizationServerMetadata.discover(issuer: try issuer("https://kc.example.com/realms/ops"), fetcher: fetcher).get()
        #expect(metadata.jwksURI?.text == "https://auth.example.com/jwks")
        #expect(metadata.introspectionEndpoint?.text == "https://auth.example.com/introspect")
        #expect(fetcher.count("https://kc.example.com/realms/ops/.well-known/openid-configuration") == 0)
    }

    @Test("falls back to OpenID configuration when RFC 8414 is not served")
    func fallsBackToOIDC() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.fail("https://auth.example.com/.well-known/oauth-authorization-server")
        fetcher.serve("https://auth.example.com/.well-known/openid-configuration", body: document(issuer: "https://auth.example.com"))
        let metadata = try await AuthorizationServerMetadata.discover(issuer: try issuer("https://auth.example.com"), fetcher: fetcher).get()
        #expect(metadata.source == "https://auth.example.com/.well-known/openid-configuration")
    }

    @Test("refuses a document whose issuer differs, without trying the next URL (mix-up defence)", arguments: [
        "https://evil.example.com", "https://auth.example.com/", "https://Auth.example.com",
    ])
    func refusesIssuerMismatch(_ claimed: String) async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.serve("https://auth.example.com/.well-known/oauth-authorization-server", body: document(issuer: claimed))
        fetcher.serve("https://auth.example.com/.well-known/openid-configuration", body: document(issuer: "https://auth.example.com"))
        let result = await AuthorizationServerMetadata.discover(issuer: try issuer("https://auth.example.com"), fetcher: fetcher)
        guard case .failure(let problem) = result else {
            Issue.record("metadata naming \(claimed) must be refused")
            return
        }
        #expect(problem.kind == .issuerMismatch)
        #expect(fetcher.count("https://auth.example.com/.well-known/openid-configuration") == 0)
    }

    @Test("refuses an http jwks_uri on a public host, accepts one on loopback")
    func refusesInsecureEndpoints() throws {
        #expect(throws: MetadataProblem.self) {
            try AuthorizationServerMetadata(parsing: document(issuer: "https://auth.example.com", jwks: "http://auth.example.com/jwks"),
                                            expectedIssuer: "https://auth.example.com", source: "test")
        }
        let local = try AuthorizationServerMetadata(
            parsing: document(issuer: "http://127.0.0.1:9000", jwks: "http://127.0.0.1:9000/jwks"), expectedIssuer: "http://127.0.0.1:9000", source: "test")
        #expect(local.jwksURI?.isLoopback == true)
    }

    @Test("reads the endpoints a client needs: authorization, token, PKCE methods, RFC 9207 iss")
    func readsClientEndpoints() throws {
        let document = JSONValue.object([
            "issuer": "https://auth.example.com", "authorization_endpoint": "https://auth.example.com/authorize",
            "token_endpoint": "https://auth.example.com/token", "code_challenge_methods_supported": ["plain", "S256"],
            "authorization_response_iss_parameter_supported": true,
        ]).encoded()
        let metadata = try AuthorizationServerMetadata(parsing: document, expectedIssuer: "https://auth.example.com", source: "test")
        #expect(metadata.authorizationEndpoint?.text == "https://auth.example.com/authorize")
        #expect(metadata.tokenEndpoint?.text == "https://auth.example.com/token")
        #expect(metadata.codeChallengeMethods == ["plain", "S256"] && metadata.issuesResponseIssuer)
        let bare = try AuthorizationServerMetadata(parsing: self.document(issuer: "https://auth.example.com"),
                                                   expectedIssuer: "https://auth.example.com", source: "test")
        #expect(bare.authorizationEndpoint == nil && bare.codeChallengeMethods == nil && !bare.issuesResponseIssuer)
        // An authorization endpoint over plain http on a public host is refused like any endpoint.
        #expect(throws: MetadataProblem.self) {
            try AuthorizationServerMetadata(parsing: JSONValue.object([
                "issuer": "https://auth.example.com", "authorization_endpoint": "http://auth.example.com/authorize",
            ]).encoded(), expectedIssuer: "https://auth.example.com", source: "test")
        }
    }

    @Test("reports every attempt when no document is found")
    func reportsAttempts() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.fail("https://auth.example.com/.well-known/oauth-authorization-server", "timed out after 5 s")
        let result = await AuthorizationServerMetadata.discover(issuer: try issuer("https://auth.example.com"), fetcher: fetcher)
        guard case .failure(let problem) = result else {
            Issue.record("discovery without any document must fail")
            return
        }
        #expect(problem.kind == .unreachable)
        #expect(problem.description.contains("timed out after 5 s") && problem.description.contains("HTTP 404"))
    }
}
