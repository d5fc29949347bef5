import OrdinautAuth
import OrdinautMCP

/// How the access layer decides who is asking and what they may do over HTTP.
public struct AccessConfiguration: Sendable {
    /// The credential checks, asked in order (tokens file, stored agent tokens, OAuth, trusted proxy).
    public var authenticators: AuthenticatorChain
    /// Whether a request without a credential is refused (`ORDINAUT_REQUIRE_SCOPES`). When it is
    /// not, such a request acts as the anonymous principal, with every scope: the single local user.
    public var requireCredentials: Bool
    /// Browser origins allowed besides the server's own (`ORDINAUT_ALLOWED_ORIGINS`).
    public var allowedOrigins: [String]
    /// Host names served besides loopback ones (`ORDINAUT_ALLOWED_HOSTS`).
    public var allowedHosts: [String]
    /// The interface the server binds.
    public var bindHost: String
    /// The base URL clients use (`ORDINAUT_PUBLIC_URL`); the MCP resource is this plus `/mcp`.
    /// Unset: taken from each request's `Host`.
    public var publicURL: String?
    /// The OAuth authorization servers named in the protected resource metadata (RFC 9728).
    public var authorizationServers: [String]
    /// The scopes a 401 on `/mcp` suggests to OAuth clients (`ORDINAUT_OAUTH_DEFAULT_SCOPES`).
    public var challengeScopes: [String]
    /// Request limits per principal.
    public var rateLimits: RateLimitPolicy
    /// Requests (and the streams they answer with) one principal may have open at once.
    public var concurrentRequestsPerPrincipal: Int
    /// The web UI's cookie sessions; `nil` turns signing in with a cookie off.
    public var sessions: BrowserSessions?
    /// Signing in to the web UI through the authorization server; `nil` leaves only tokens.
    public var oauthSignIn: OAuthSignIn?
    /// Told about refusals (metrics).
    public var observer: (any AccessObserver)?
    /// Told about refused credentials (the audit log, rate-limited by the receiver).
    public var onAuthenticationFailure: (@Sendable (_ reason: String, _ address: String?, _ path: String) -> Void)?

    public init(authenticators: AuthenticatorChain = AuthenticatorChain([]), requireCredentials: Bool = false,
                allowedOrigins: [String] = [], allowedHosts: [String] = [], bindHost: String = "127.0.0.1",
                publicURL: String? = nil, authorizationServers: [String] = [],
                challengeScopes: [String] = [Scope.mcp, Scope.tasksRead, Scope.tasksWrite, Scope.runsWrite, Scope.runsApprove, Scope.eventsPublish],
                rateLimits: RateLimitPolicy = RateLimitPolicy(), concurrentRequestsPerPrincipal: Int = 256,
                observer: (any AccessObserver)? = nil) {
        self.authenticators = authenticators
        self.requireCredentials = requireCredentials
        self.allowedOrigins = allowedOrigins
        self.allowedHosts = allowedHosts
        self.bindHost = bindHost
        self.publicURL = publicURL
        self.authorizationServers = authorizationServers
        self.challengeScopes = challengeScopes
        self.rateLimits = rateLimits
        self.concurrentRequestsPerPrincipal = concurrentRequestsPerPrincipal
        self.observer = observer
    }
}
