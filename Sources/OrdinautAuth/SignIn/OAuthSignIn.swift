import Synchronization

/// The web UI's sign-in through the authorization server: Ordinaut is the OAuth client (the
/// authorization code grant with PKCE), so the access token never reaches page script.
///
/// ``start(returnPath:now:)`` records a pending sign-in (state, PKCE verifier, return path, binding
/// secret for the browser's cookie) and gives the authorization URL; ``finish(_:binding:now:)``
/// takes the callback: the state must name a live pending sign-in of this browser (single use), the
/// `iss` parameter must name our issuer (RFC 9207), and the code is exchanged at the token endpoint
/// with the verifier, the redirect URI, the client's credentials and the resource. Checking the
/// token it yields is the caller's: the same authenticators as a bearer token.
public final class OAuthSignIn: Sendable {
    /// How the web UI is registered at the authorization server.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The issuer (as ``OAuthConfiguration/issuer``): what `iss` on the callback must say.
        public var issuer: String
        /// The web UI's client (`ORDINAUT_UI_OAUTH_CLIENT_ID`, `ORDINAUT_UI_OAUTH_CLIENT_SECRET`);
        /// `nil` registers one on the first sign-in (RFC 7591, `ORDINAUT_UI_OAUTH_REGISTER`).
        public var client: OAuthClient?
        /// `<ORDINAUT_PUBLIC_URL>/session/oauth/callback`, registered with the client.
        public var redirectURI: String
        /// The resource tokens are asked for: `<ORDINAUT_PUBLIC_URL>/mcp`.
        public var resource: String
        /// The scopes asked for (`ORDINAUT_UI_OAUTH_SCOPES`).
        public var scopes: [String]
        /// How long a browser may take at the authorization server (`ORDINAUT_UI_OAUTH_PENDING_SECONDS`).
        public var pendingLifetime: Duration
        /// Sign-ins in progress at once (`ORDINAUT_UI_OAUTH_MAX_PENDING`).
        public var maxPending: Int
        /// What the sign-in button names (`ORDINAUT_UI_OAUTH_NAME`; the issuer's host by default).
        public var displayName: String

        /// A configuration with the documented defaults (10 minutes, 1,000 pending sign-ins).
        public init(issuer: String, client: OAuthClient?, redirectURI: String, resource: String, scopes: [String],
                    pendingLifetime: Duration = .seconds(600), maxPending: Int = 1000, displayName: String? = nil) {
            self.displayName = displayName ?? (try? OAuthURL(parsing: issuer, setting: "issuer"))?.host ?? issuer
            self.issuer = issuer
            self.client = client
            self.redirectURI = redirectURI
            self.resource = resource
            self.scopes = scopes
            self.pendingLifetime = pendingLifetime
            self.maxPending = maxPending
        }

        /// The settings with the secret left out, for logs.
        public var description: String {
            "OAuthSignIn.Configuration(issuer: \(issuer), client: \(client.map(String.init(describing:)) ?? "registered on first use"))"
        }
    }

    /// A sign-in sent on its way.
    public struct Started: Sendable, Hashable {
        /// Where to send the browser.
        public let url: String
        /// The secret for the browser's binding cookie.
        public let binding: String
    }

    /// What the authorization server sent the browser back with (query parameters, as received).
    public struct Callback: Sendable, Hashable {
        /// `state`: names the pending sign-in.
        public var state: String?
        /// `code`: the authorization code to exchange.
        public var code: String?
        /// `error`: why the authorization server did not issue a code.
        public var error: String?
        /// `iss` (RFC 9207): who answered.
        public var issuer: String?

        /// The parameters as received.
        public init(state: String?, code: String?, error: String?, issuer: String?) {
            self.state = state
            self.code = code
            self.error = error
            self.issuer = issuer
        }
    }

    /// A code exchanged for a token.
    public struct Completed: Sendable, Hashable {
        /// The access token, to be checked like any bearer token.
        public let accessToken: String
        /// How long it lives, when the server said.
        public let expiresIn: Int?
        /// Where the browser goes next.
        public let returnPath: String
    }

    /// Where the browser goes after signing in when it asked for nowhere (or for somewhere unsafe).
    public static let defaultReturnPath = "/ext/webui/"
    /// The longest return path kept; a longer one is replaced by the default.
    public static let maximumReturnPathBytes = 1024

    public let configuration: Configuration
    /// What the sign-in button names.
    public var name: String { configuration.displayName }
    private let metadata: @Sendable () async -> Result<AuthorizationServerMetadata, MetadataProblem>
    private let fetcher: any OAuthFetcher
    private let pending: Mutex<PendingSignIns<ContinuousClock.Instant>>
    private let registration: ClientRegistration

    /// A sign-in for `configuration`; `metadata` is the authorization server's (shared with the
    /// token checks: ``OAuthAuthenticator/authorizationServerMetadata()``).
    public init(configuration: Configuration, fetcher: any OAuthFetcher,
                metadata: @escaping @Sendable () async -> Result<AuthorizationServerMetadata, MetadataProblem>) {
        self.configuration = configuration
        self.fetcher = fetcher
        self.metadata = metadata
        pending = Mutex(PendingSignIns(capacity: configuration.maxPending))
        registration = ClientRegistration(fetcher: fetcher, clientName: "Ordinaut web UI (\(configuration.redirectURI))",
                                          redirectURI: configuration.redirectURI, scopes: configuration.scopes)
    }

    /// Records a sign-in and says where to send the browser.
    public func start(returnPath: String?, now: ContinuousClock.Instant = .now) async -> Result<Started, SignInFailure> {
        let (server, client): (AuthorizationServerMetadata, OAuthClient)
        switch await prepared(now: now) {
        case .success(let found): (server, client) = found
        case .failure(let failure): return .failure(failure)
        }
        guard let authorizationEndpoint = server.authorizationEndpoint else {
            return .failure(SignInFailure(.unavailable, "the metadata at \(server.source) has no authorization_endpoint"))
        }
        let state = RandomToken.base64url(), binding = RandomToken.base64url(), pkce = PKCE.random()
        let path = returnPath.flatMap(Self.safeReturnPath) ?? Self.defaultReturnPath
        let added = pending.withLock {
            $0.add(state: state, .init(verifier: pkce.verifier, returnPath: path), binding: binding,
                   until: now + configuration.pendingLifetime, now: now)
        }
        guard added else {
            return .failure(SignInFailure(.busy, "\(configuration.maxPending) sign-ins are already in progress (ORDINAUT_UI_OAUTH_MAX_PENDING)"))
        }
        let request = AuthorizationRequest(
            endpoint: authorizationEndpoint, clientID: client.id, redirectURI: configuration.redirectURI,
            scopes: configuration.scopes, state: state, codeChallenge: pkce.challenge, resource: configuration.resource)
        return .success(Started(url: request.url, binding: binding))
    }

    /// Takes the authorization server's answer and exchanges its code.
    public func finish(_ callback: Callback, binding: String?, now: ContinuousClock.Instant = .now) async -> Result<Completed, SignInFailure> {
        guard let state = callback.state, !state.isEmpty else {
            return .failure(SignInFailure(.state, "the callback carries no state"))
        }
        let taken = pending.withLock { $0.take(state: state, binding: binding, now: now) }
        let signIn: PendingSignIns<ContinuousClock.Instant>.Pending
        switch taken {
        case .success(let found): signIn = found
        case .failure(.unknownState): return .failure(SignInFailure(.state, "the callback's state is unknown, used or expired"))
        case .failure(.bindingMismatch):
            return .failure(SignInFailure(.binding, "the callback came to a browser without the sign-in's binding cookie"))
        }
        let (server, client): (AuthorizationServerMetadata, OAuthClient)
        switch await prepared(now: now) {
        case .success(let found): (server, client) = found
        case .failure(let failure): return .failure(failure)
        }
        // RFC 9207 §2.4: a different issuer is a mix-up; none at all is one when the server promises it.
        if let issuer = callback.issuer {
            guard issuer == configuration.issuer else {
                return .failure(SignInFailure(.issuer, "the callback names the issuer \"\(TokenRejection.excerpt(issuer))\", not \(configuration.issuer)"))
            }
        } else if server.issuesResponseIssuer {
            return .failure(SignInFailure(.issuer, "the callback lacks iss although \(configuration.issuer) promises it (RFC 9207)"))
        }
        if let error = callback.error {
            return .failure(SignInFailure(.denied, "the authorization server answered \(TokenRejection.excerpt(error))", serverError: error))
        }
        guard let code = callback.code, !code.isEmpty else {
            return .failure(SignInFailure(.exchange, "the callback carries neither a code nor an error"))
        }
        guard let tokenEndpoint = server.tokenEndpoint else {
            return .failure(SignInFailure(.unavailable, "the metadata at \(server.source) has no token_endpoint"))
        }
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", configuration.redirectURI),
                      ("code_verifier", signIn.verifier), ("resource", configuration.resource)]
        var basic: (user: String, password: String)?
        if let secret = client.secret {
            basic = (client.id, secret)
        } else {
            fields.append(("client_id", client.id))
        }
        switch await fetcher.postForm(tokenEndpoint.text, fields: fields, basicAuthorization: basic) {
        case .failure(let failure):
            return .failure(SignInFailure(.exchange, "the token endpoint \(tokenEndpoint) cannot be reached: \(failure.reason)"))
        case .success(let document):
            do {
                let token = try TokenResponse(document, endpoint: tokenEndpoint.text)
                return .success(Completed(accessToken: token.accessToken, expiresIn: token.expiresIn, returnPath: signIn.returnPath))
            } catch {
                return .failure(error)
            }
        }
    }

    /// `path` if it is a path on this server: starting with one `/` (not `//` or `/\`, which
    /// browsers take for another host), of visible ASCII without backslashes (anything else
    /// percent-encoded), and short.
    public static func safeReturnPath(_ path: String) -> String? {
        guard path.utf8.count <= maximumReturnPathBytes, path.hasPrefix("/"), !path.hasPrefix("//"),
              path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else { return nil }
        return path
    }

    /// The metadata, when it allows this sign-in (PKCE S256 offered, as MCP authorization
    /// requires), and the client: the configured one, or the one registered there.
    private func prepared(now: ContinuousClock.Instant) async -> Result<(AuthorizationServerMetadata, OAuthClient), SignInFailure> {
        let server: AuthorizationServerMetadata
        switch await metadata() {
        case .failure(let problem): return .failure(SignInFailure(.unavailable, problem.description))
        case .success(let found): server = found
        }
        guard server.codeChallengeMethods?.contains("S256") == true else {
            return .failure(SignInFailure(.unavailable,
                "the metadata at \(server.source) does not list S256 in code_challenge_methods_supported; PKCE is required"))
        }
        if let configured = configuration.client { return .success((server, configured)) }
        return await registration.client(at: server.registrationEndpoint, now: now).map { (server, $0) }
    }
}
