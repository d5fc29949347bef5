import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrdinautAuth
import OrdinautCore
import OrdinautExtensionKit
import OrdinautHTTP
import Testing

/// The OAuth sign-in's routes behind the real access middleware, as a server behind TLS
/// (`ORDINAUT_PUBLIC_URL=https://…`) answers them: the cookies' attributes are what a browser acts on.
@Suite("Web UI sign-in routes")
struct OAuthSignInRouteTests {
    /// Accepts the one access token the token endpoint below issues.
    struct AcceptsIssuedToken: Authenticator {
        var name: String { "test" }
        func authenticate(_ credential: Credential) async -> AuthenticationResult {
            credential == .bearer("issued-token")
                ? .authenticated(Principal(subject: "oauth:user-1", displayName: "user-1", scopes: .all, method: .oauth)) : .unrecognized
        }
    }

    /// The authorization server's token endpoint: any code becomes `issued-token`, living 30 s.
    struct TokenEndpoint: OAuthFetcher {
        func get(_ url: String) async -> Result<HTTPDocument, FetchFailure> { .failure(FetchFailure("not used")) }
        func postJSON(_ url: String, body: [UInt8]) async -> Result<HTTPDocument, FetchFailure> { .failure(FetchFailure("not used")) }
        func postForm(_ url: String, fields: [(String, String)], basicAuthorization: (user: String, password: String)?)
            async -> Result<HTTPDocument, FetchFailure> {
            .success(HTTPDocument(status: 200, body: JSONValue.object(["access_token": "issued-token", "token_type": "Bearer", "expires_in": 30]).encoded()))
        }
    }

    static func application() throws -> some ApplicationProtocol {
        let issuer = "https://auth.example.com"
        let metadata = AuthorizationServerMetadata(
            issuer: issuer, jwksURI: nil, introspectionEndpoint: nil, source: "test",
            authorizationEndpoint: try OAuthURL(parsing: issuer + "/authorize", setting: "test"),
            tokenEndpoint: try OAuthURL(parsing: issuer + "/token", setting: "test"), codeChallengeMethods: ["S256"], issuesResponseIssuer: true)
        var configuration = AccessConfiguration(authenticators: AuthenticatorChain([AcceptsIssuedToken()]), requireCredentials: true,
                                                publicURL: "https://ordinaut.example.com", authorizationServers: [issuer])
        configuration.sessions = BrowserSessions(lifetime: .seconds(3600), capacity: 10)
        configuration.oauthSignIn = OAuthSignIn(
            configuration: .init(issuer: issuer, client: OAuthClient(id: "webui", secret: nil),
                                 redirectURI: "https://ordinaut.example.com/session/oauth/callback", resource: "https://ordinaut.example.com/mcp",
                                 scopes: ["mcp"], displayName: "Example SSO"),
            fetcher: TokenEndpoint(), metadata: { .success(metadata) })
        let gate = AccessGate(configuration: configuration)
        let router = Router(context: ExtensionRequestContext.self)
        router.add(middleware: AccessMiddleware(gate: gate))
        SessionAPI(gate: gate).addRoutes(to: router)
        try #require(OAuthSignInAPI(gate: gate)).addRoutes(to: router)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func query(_ location: String) -> [String: String] {
        URLComponents(string: location)?.queryItems?.reduce(into: [:]) { $0[$1.name] = $1.value } ?? [:]
    }

    @Test func theBindingCookieIsLaxAndTheSessionCookieStrictBothSecureAndTheSessionEndsWithTheToken() async throws {
        try await Self.application().test(.live) { client in
            let offered = try await client.execute(uri: "/session", method: .get) { try JSONParser().parse(Array($0.body.readableBytesView)) }
            #expect(offered["oauth"] == ["start": "/session/oauth", "name": "Example SSO"])

            let (location, binding) = try await client.execute(uri: "/session/oauth?return=%2Fext%2Fwebui%2Fstatic%2F%23%2Fruns", method: .get) { response in
                #expect(response.status == .seeOther)
                return (response.headers[.location] ?? "", response.headers[.setCookie] ?? "")
            }
            #expect(location.hasPrefix("https://auth.example.com/authorize?"))
            let secret = try #require(binding.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init))
            #expect(binding.hasPrefix("ordinaut_oauth=") && binding.contains("; Path=/session/oauth; Max-Age=600; HttpOnly; SameSite=Lax; Secure"))

            let state = try #require(Self.query(location)["state"])
            let callback = "/session/oauth/callback?code=c&state=\(state)&iss=https%3A%2F%2Fauth.example.com"
            try await client.execute(uri: callback, method: .get, headers: [.cookie: "ordinaut_oauth=\(secret)"]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ext/webui/static/#/runs")
                let cookies = response.headers[values: .setCookie]
                let session = try #require(cookies.first { $0.hasPrefix("ordinaut_session=") })
                #expect(session.contains("; Path=/; Max-Age=30; HttpOnly; SameSite=Strict; Secure"), "\(session)")
                #expect(cookies.contains { $0.hasPrefix("ordinaut_oauth=;") && $0.contains("Max-Age=0") })
            }
        }
    }

    @Test func aForgedCallbackLeavesTheBrowsersOwnSignInAlone() async throws {
        try await Self.application().test(.live) { client in
            let (location, binding) = try await client.execute(uri: "/session/oauth", method: .get) { response in
                (response.headers[.location] ?? "", response.headers[.setCookie] ?? "")
            }
            let secret = try #require(binding.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init))
            // Someone else's callback in this browser: refused, and this browser's binding cookie is not cleared.
            try await client.execute(uri: "/session/oauth/callback?code=c&state=forged&iss=https%3A%2F%2Fauth.example.com", method: .get,
                                     headers: [.cookie: "ordinaut_oauth=\(secret)"]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ext/webui/static/?signin_error=state")
                #expect(response.headers[values: .setCookie].isEmpty)
            }
            let state = try #require(Self.query(location)["state"])
            try await client.execute(uri: "/session/oauth/callback?code=c&state=\(state)&iss=https%3A%2F%2Fauth.example.com", method: .get,
                                     headers: [.cookie: "ordinaut_oauth=\(secret)"]) { response in
                #expect(response.headers[.location] == "/ext/webui/")
            }
        }
    }
}
