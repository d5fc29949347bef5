import Foundation
import OrdinautAuth
import OrdinautCore
import Testing

@Suite("Web UI sign-in through the authorization server")
struct OAuthSignInTests {
    static let issuer = "https://auth.example.com"
    static let tokenURL = "https://auth.example.com/token"

    static let registerURL = "https://auth.example.com/register"

    static func metadata(pkce: [String]? = ["S256"], issuesIss: Bool = true, authorize: String = "https://auth.example.com/authorize",
                         register: String? = registerURL) -> AuthorizationServerMetadata {
        AuthorizationServerMetadata(
            issuer: issuer, jwksURI: nil, introspectionEndpoint: nil, source: "test",
            authorizationEndpoint: try? OAuthURL(parsing: authorize, setting: "test"),
            tokenEndpoint: try? OAuthURL(parsing: tokenURL, setting: "test"),
            registrationEndpoint: register.flatMap { try? OAuthURL(parsing: $0, setting: "test") }, codeChallengeMethods: pkce,
            issuesResponseIssuer: issuesIss)
    }

    static func configuration(client: OAuthClient?, maxPending: Int = 10) -> OAuthSignIn.Configuration {
        OAuthSignIn.Configuration(issuer: issuer, client: client, redirectURI: "https://ordinaut.example.com/session/oauth/callback",
                                  resource: "https://ordinaut.example.com/mcp", scopes: ["mcp", "tasks:read"], maxPending: maxPending)
    }

    static func signIn(_ fetcher: InMemoryOAuthFetcher, secret: String? = nil, maxPending: Int = 10, registers: Bool = false,
                       metadata: AuthorizationServerMetadata = metadata()) -> OAuthSignIn {
        let client = registers ? nil : OAuthClient(id: "webui", secret: secret)
        return OAuthSignIn(configuration: configuration(client: client, maxPending: maxPending), fetcher: fetcher, metadata: { .success(metadata) })
    }

    /// The query parameters of `url`, decoded.
    static func query(_ url: String) -> [String: String] {
        guard let mark = url.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in url[url.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    static func tokenAnswer(status: Int = 200, _ body: JSONValue) -> Result<HTTPDocument, FetchFailure> {
        .success(HTTPDocument(status: status, body: body.encoded()))
    }

    @Test func pkceFollowsRFC7636AppendixB() {
        #expect(PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let fresh = PKCE.random()
        #expect(fresh.verifier.count == 43 && fresh.verifier != PKCE.random().verifier)
    }

    @Test func theAuthorizationURLCarriesEveryParameterEncoded() throws {
        let request = AuthorizationRequest(
            endpoint: try OAuthURL(parsing: "https://auth.example.com/authorize", setting: "t"), clientID: "web ui&x",
            redirectURI: "https://o.example.com/session/oauth/callback", scopes: ["mcp", "tasks:read"], state: "st",
            codeChallenge: "ch", resource: "https://o.example.com/mcp")
        #expect(request.url == "https://auth.example.com/authorize?response_type=code&client_id=web%20ui%26x"
            + "&redirect_uri=https%3A%2F%2Fo.example.com%2Fsession%2Foauth%2Fcallback&scope=mcp%20tasks%3Aread&state=st"
            + "&code_challenge=ch&code_challenge_method=S256&resource=https%3A%2F%2Fo.example.com%2Fmcp")
        // An endpoint with a query keeps it; no scopes leaves `scope` out.
        var other = request
        other.endpoint = try OAuthURL(parsing: "https://auth.example.com/authorize?tenant=a", setting: "t")
        other.scopes = []
        #expect(other.url.hasPrefix("https://auth.example.com/authorize?tenant=a&response_type=code&"))
        #expect(!other.url.contains("scope="))
    }

    @Test func aSignInGoesThereAndComesBackWithAToken() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.onPost(Self.tokenURL) { _ in Self.tokenAnswer(["access_token": "at-1", "token_type": "Bearer", "expires_in": 300]) }
        let signIn = Self.signIn(fetcher)
        let started = try await signIn.start(returnPath: "/ext/webui/static/#/tasks").get()
        let query = Self.query(started.url)
        #expect(started.url.hasPrefix("https://auth.example.com/authorize?"))
        #expect(query["response_type"] == "code" && query["client_id"] == "webui" && query["code_challenge_method"] == "S256")
        #expect(query["redirect_uri"] == "https://ordinaut.example.com/session/oauth/callback")
        #expect(query["resource"] == "https://ordinaut.example.com/mcp" && query["scope"] == "mcp tasks:read")
        let state = try #require(query["state"])
        #expect(state.count == 43)
        let done = try await signIn.finish(.init(state: state, code: "code-1", error: nil, issuer: Self.issuer), binding: started.binding).get()
        #expect(done.accessToken == "at-1" && done.expiresIn == 300 && done.returnPath == "/ext/webui/static/#/tasks")
        // The exchange: the verifier whose challenge went out, the same redirect URI, the resource, a public client's id.
        let post = try #require(fetcher.posts.first)
        #expect(post.field("grant_type") == "authorization_code" && post.field("code") == "code-1")
        #expect(PKCE(verifier: try #require(post.field("code_verifier"))).challenge == query["code_challenge"])
        #expect(post.field("redirect_uri") == query["redirect_uri"] && post.field("resource") == query["resource"])
        #expect(post.field("client_id") == "webui" && post.user == nil)
    }

    @Test func aConfidentialClientAuthenticatesWithBasic() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.onPost(Self.tokenURL) { _ in Self.tokenAnswer(["access_token": "at", "token_type": "bearer"]) }
        let signIn = Self.signIn(fetcher, secret: "s3cret")
        let started = try await signIn.start(returnPath: nil).get()
        let done = try await signIn.finish(.init(state: Self.query(started.url)["state"], code: "c", error: nil, issuer: Self.issuer),
                                           binding: started.binding).get()
        #expect(done.expiresIn == nil && done.returnPath == OAuthSignIn.defaultReturnPath)
        let post = try #require(fetcher.posts.first)
        #expect(post.user == "webui" && post.password == "s3cret" && post.field("client_id") == nil)
    }

    @Test func aReplayedOrForgedCallbackIsRefusedBeforeAnyExchange() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.onPost(Self.tokenURL) { _ in Self.tokenAnswer(["access_token": "at", "token_type": "Bearer"]) }
        let signIn = Self.signIn(fetcher)
        let started = try await signIn.start(returnPath: nil).get()
        let state = Self.query(started.url)["state"]
        func finish(_ state: String?, binding: String?, issuer: String? = Self.issuer) async -> SignInFailure.Kind? {
            if case .failure(let failure) = await signIn.finish(.init(state: state, code: "c", error: nil, issuer: issuer), binding: binding) {
                return failure.kind
            }
            return nil
        }
        #expect(await finish(nil, binding: started.binding) == .state)
        #expect(await finish("forged", binding: started.binding) == .state)
        #expect(await finish(state, binding: nil) == .binding)
        // The failed attempt used the state up.
        #expect(await finish(state, binding: started.binding) == .state)
        #expect(fetcher.posts.isEmpty)
        // A good one, then its replay.
        let second = try await signIn.start(returnPath: nil).get()
        let secondState = Self.query(second.url)["state"]
        #expect(await finish(secondState, binding: second.binding) == nil)
        #expect(await finish(secondState, binding: second.binding) == .state)
        #expect(fetcher.posts.count == 1)
    }

    @Test func theIssuerOfTheAnswerMustBeOurs() async throws {
        let fetcher = InMemoryOAuthFetcher()
        for (metadata, issuer) in [(Self.metadata(), "https://evil.example.com"), (Self.metadata(issuesIss: true), nil)] as [(AuthorizationServerMetadata, String?)] {
            let signIn = Self.signIn(fetcher, metadata: metadata)
            let started = try await signIn.start(returnPath: nil).get()
            let result = await signIn.finish(.init(state: Self.query(started.url)["state"], code: "c", error: nil, issuer: issuer), binding: started.binding)
            guard case .failure(let failure) = result else {
                Issue.record("iss \(issuer ?? "missing") must be refused")
                continue
            }
            #expect(failure.kind == .issuer)
        }
        // A server that does not promise `iss` may leave it out.
        fetcher.onPost(Self.tokenURL) { _ in Self.tokenAnswer(["access_token": "at", "token_type": "Bearer"]) }
        let lenient = Self.signIn(fetcher, metadata: Self.metadata(issuesIss: false))
        let started = try await lenient.start(returnPath: nil).get()
        _ = try await lenient.finish(.init(state: Self.query(started.url)["state"], code: "c", error: nil, issuer: nil), binding: started.binding).get()
    }

    @Test func anErrorAnswerIsReportedWithItsRegisteredCodeOnly() async throws {
        let signIn = Self.signIn(InMemoryOAuthFetcher())
        for (error, code) in [("access_denied", "denied:access_denied"), ("<script>alert(1)</script>", "denied")] {
            let started = try await signIn.start(returnPath: nil).get()
            let result = await signIn.finish(.init(state: Self.query(started.url)["state"], code: nil, error: error, issuer: Self.issuer),
                                             binding: started.binding)
            guard case .failure(let failure) = result else {
                Issue.record("an error answer must fail")
                continue
            }
            #expect(failure.kind == .denied && failure.code == code)
        }
    }

    @Test func aRefusedExchangeSaysWhatTheServerSaid() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.onPost(Self.tokenURL) { _ in Self.tokenAnswer(status: 400, ["error": "invalid_grant", "error_description": "the code is used"]) }
        let signIn = Self.signIn(fetcher)
        let started = try await signIn.start(returnPath: nil).get()
        let result = await signIn.finish(.init(state: Self.query(started.url)["state"], code: "c", error: nil, issuer: Self.issuer), binding: started.binding)
        guard case .failure(let failure) = result else {
            Issue.record("a refused exchange must fail")
            return
        }
        #expect(failure.kind == .exchange && failure.description.contains("invalid_grant") && failure.code == "exchange")
    }

    @Test func aServerWithoutS256IsNotUsed() async {
        for methods in [nil, ["plain"]] as [[String]?] {
            let result = await Self.signIn(InMemoryOAuthFetcher(), metadata: Self.metadata(pkce: methods)).start(returnPath: nil)
            guard case .failure(let failure) = result else {
                Issue.record("a server without S256 must not be used")
                continue
            }
            #expect(failure.kind == .unavailable)
        }
    }

    @Test func tooManySignInsInProgressAreRefused() async throws {
        let signIn = Self.signIn(InMemoryOAuthFetcher(), maxPending: 2)
        _ = try await signIn.start(returnPath: nil).get()
        _ = try await signIn.start(returnPath: nil).get()
        guard case .failure(let failure) = await signIn.start(returnPath: nil) else {
            Issue.record("a third sign-in must be refused")
            return
        }
        #expect(failure.kind == .busy && failure.description.contains("ORDINAUT_UI_OAUTH_MAX_PENDING"))
    }

    @Test func withoutAClientIdOneIsRegisteredOnceOnTheFirstSignIn() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.onPost(Self.registerURL) { _ in Self.tokenAnswer(status: 201, ["client_id": "registered-1", "token_endpoint_auth_method": "none"]) }
        fetcher.onPost(Self.tokenURL) { _ in Self.tokenAnswer(["access_token": "at", "token_type": "Bearer"]) }
        let signIn = Self.signIn(fetcher, registers: true)
        async let one = signIn.start(returnPath: nil)
        async let two = signIn.start(returnPath: nil)
        let started = [try await one.get(), try await two.get()]
        #expect(fetcher.count(Self.registerURL) == 1)
        #expect(started.allSatisfy { Self.query($0.url)["client_id"] == "registered-1" })
        let posted = try #require(fetcher.posts.first?.field("json"))
        let registration = try #require(try JSONParser().parse(Array(posted.utf8)).objectValue)
        #expect(registration["redirect_uris"] == ["https://ordinaut.example.com/session/oauth/callback"])
        #expect(registration["grant_types"] == ["authorization_code"] && registration["token_endpoint_auth_method"] == "none")
        _ = try await signIn.finish(.init(state: Self.query(started[0].url)["state"], code: "c", error: nil, issuer: Self.issuer),
                                    binding: started[0].binding).get()
        let exchange = try #require(fetcher.posts.last)
        #expect(exchange.url == Self.tokenURL && exchange.field("client_id") == "registered-1" && exchange.user == nil)
        #expect(fetcher.count(Self.registerURL) == 1)
    }

    @Test func aRefusedRegistrationIsReportedAndNotRetriedAtOnce() async throws {
        let fetcher = InMemoryOAuthFetcher()
        fetcher.onPost(Self.registerURL) { _ in Self.tokenAnswer(status: 400, ["error": "invalid_client_metadata"]) }
        let signIn = Self.signIn(fetcher, registers: true)
        let now = ContinuousClock.now
        for (offset, registrations) in [(0, 1), (5, 1), (11, 2)] {
            guard case .failure(let failure) = await signIn.start(returnPath: nil, now: now + .seconds(offset)) else {
                Issue.record("a refused registration must fail the sign-in")
                return
            }
            #expect(failure.kind == .unavailable && failure.description.contains("invalid_client_metadata"))
            #expect(fetcher.count(Self.registerURL) == registrations)
        }
        // No registration endpoint: the operator is told to configure a client.
        let bare = Self.signIn(InMemoryOAuthFetcher(), registers: true, metadata: Self.metadata(register: nil))
        guard case .failure(let failure) = await bare.start(returnPath: nil) else {
            Issue.record("without a registration endpoint the sign-in must fail")
            return
        }
        #expect(failure.description.contains("ORDINAUT_UI_OAUTH_CLIENT_ID"))
    }

    @Test("only paths on this server are returned to", arguments: [
        ("/ext/webui/static/#/tasks", true), ("/", true), ("//evil.example.com/", false), ("/\\evil.example.com", false),
        ("https://evil.example.com/", false), ("evil", false), ("", false), ("/a b", false), ("/a\nb", false),
        (String(repeating: "/a", count: 600), false),
    ])
    func returnPaths(path: String, safe: Bool) {
        #expect((OAuthSignIn.safeReturnPath(path) != nil) == safe)
    }
}
