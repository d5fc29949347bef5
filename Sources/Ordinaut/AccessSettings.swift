import Foundation
import OrdinautAuth
import OrdinautCore

/// Who may do what, from the `ORDINAUT_*` access variables (all listed in the README and in
/// docs/security.md).
public struct AccessSettings: Sendable {
    /// Refuse requests without a credential (`ORDINAUT_REQUIRE_SCOPES`).
    public var requireScopes = false
    /// Serve anonymous clients on a non-loopback address anyway (`ORDINAUT_ALLOW_ANONYMOUS`, `--allow-anonymous`).
    public var allowAnonymous = false
    /// Operator-issued tokens (`ORDINAUT_TOKENS_FILE`).
    public var tokens = TokensFileAuthenticator()
    public var tokensFile: String?
    /// The secret of an authenticating reverse proxy (`ORDINAUT_PROXY_SECRET`).
    public var proxySecret: String?
    /// The base URL clients use (`ORDINAUT_PUBLIC_URL`).
    public var publicURL: String?
    /// OAuth 2.1: the authorization server (`ORDINAUT_OAUTH_ISSUER`) and how its tokens are checked.
    public var oauthIssuer: String?
    public var oauthAudiences: [String] = []
    public var oauthJWKSURL: String?
    public var oauthIntrospectionURL: String?
    public var oauthClientID: String?
    public var oauthClientSecret: String?
    public var oauthLeewaySeconds = 60
    /// The scopes a 401 suggests to OAuth clients (`ORDINAUT_OAUTH_DEFAULT_SCOPES`).
    public var challengeScopes = [Scope.mcp, Scope.tasksRead, Scope.tasksWrite, Scope.runsWrite, Scope.runsApprove, Scope.eventsPublish]
    /// Limits per principal (`ORDINAUT_RATE_LIMIT`, `ORDINAUT_TOOL_RATE_LIMIT`, `ORDINAUT_TOOL_RATE_LIMITS`).
    public var rateLimits = RateLimitPolicy()
    /// Sessions one principal may hold (`ORDINAUT_MAX_SESSIONS_PER_PRINCIPAL`).
    public var maxSessionsPerPrincipal = 100
    /// Requests one principal may have open at once (`ORDINAUT_MAX_REQUESTS_PER_PRINCIPAL`).
    public var maxRequestsPerPrincipal = 256
    /// How long a stored agent token's check is remembered: the bound within which a revocation
    /// takes effect on every node (`ORDINAUT_TOKEN_CACHE_SECONDS`).
    public var tokenCacheSeconds = 5
    /// How long a web UI sign-in lasts (`ORDINAUT_UI_SESSION_SECONDS`, 8 hours).
    public var uiSessionSeconds = 8 * 3600
    /// Web UI sign-ins held at once; the oldest ends when a new one would pass it (`ORDINAUT_UI_MAX_SESSIONS`).
    public var uiMaxSessions = 1000
    /// The web UI's own OAuth client, for signing in through the authorization server
    /// (`ORDINAUT_UI_OAUTH_CLIENT_ID`, `ORDINAUT_UI_OAUTH_CLIENT_SECRET`); unset: tokens only.
    public var uiOAuthClientID: String?
    public var uiOAuthClientSecret: String?
    /// Without a client id, register the web UI's client at the authorization server on the first
    /// sign-in (RFC 7591; `ORDINAUT_UI_OAUTH_REGISTER`).
    public var uiOAuthRegister = false
    /// The scopes the web UI asks for (`ORDINAUT_UI_OAUTH_SCOPES`; the challenge scopes by default).
    public var uiOAuthScopes: [String]?
    /// What the "Sign in with …" button names (`ORDINAUT_UI_OAUTH_NAME`; the issuer's host by default).
    public var uiOAuthName: String?
    /// How long a browser may take at the authorization server (`ORDINAUT_UI_OAUTH_PENDING_SECONDS`, 10 minutes).
    public var uiOAuthPendingSeconds = 600
    /// Sign-ins through the authorization server in progress at once (`ORDINAUT_UI_OAUTH_MAX_PENDING`).
    public var uiOAuthMaxPending = 1000
    /// The principal of a stdio process (`ORDINAUT_STDIO_PRINCIPAL`, `ORDINAUT_STDIO_SCOPES`).
    public var stdioPrincipal = Principal.local

    public init() {}

    /// Whether credentials are configured (a tokens file, a proxy secret, an OAuth issuer); stored
    /// agent tokens need no configuration and are always checked.
    public var hasCredentialSources: Bool {
        !tokens.isEmpty || proxySecret != nil || oauthIssuer != nil
    }

    mutating func read(_ environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_REQUIRE_SCOPES"] { requireScopes = try Configuration.boolean(value, "ORDINAUT_REQUIRE_SCOPES") }
        if let value = environment["ORDINAUT_ALLOW_ANONYMOUS"] { allowAnonymous = try Configuration.boolean(value, "ORDINAUT_ALLOW_ANONYMOUS") }
        if let value = environment["ORDINAUT_TOKENS_FILE"], !value.isEmpty {
            do {
                tokens = try TokensFileAuthenticator(contentsOf: value)
            } catch {
                throw ConfigurationError(error.description)
            }
            tokensFile = value
        }
        if let value = environment["ORDINAUT_PROXY_SECRET"] {
            guard value.utf8.count >= 32 else { throw ConfigurationError("ORDINAUT_PROXY_SECRET must be at least 32 characters long") }
            proxySecret = value
        }
        if let value = environment["ORDINAUT_PUBLIC_URL"], !value.isEmpty {
            guard value.hasPrefix("http://") || value.hasPrefix("https://"), !value.hasSuffix("/") else {
                throw ConfigurationError("ORDINAUT_PUBLIC_URL=\(value) must be an http(s) URL without a trailing slash, such as https://ordinaut.example.com")
            }
            publicURL = value
        }
        try readOAuth(environment)
        try readLimits(environment)
        if environment["ORDINAUT_STDIO_PRINCIPAL"] != nil || environment["ORDINAUT_STDIO_SCOPES"] != nil {
            let name = environment["ORDINAUT_STDIO_PRINCIPAL"].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
            let scopes = environment["ORDINAUT_STDIO_SCOPES"].map { ScopeSet(parsing: Substring($0)) } ?? .all
            stdioPrincipal = Principal(subject: "local:" + name, displayName: name, scopes: scopes, method: .local)
        }
    }

    private mutating func readOAuth(_ environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_OAUTH_ISSUER"], !value.isEmpty {
            guard value.hasPrefix("https://") || value.hasPrefix("http://") else {
                throw ConfigurationError("ORDINAUT_OAUTH_ISSUER=\(value) must be the authorization server's issuer URL, such as https://login.example.com/realms/ordinaut")
            }
            oauthIssuer = value
        }
        if let value = environment["ORDINAUT_OAUTH_AUDIENCE"] { oauthAudiences = Configuration.list(value) }
        if let value = environment["ORDINAUT_OAUTH_JWKS_URL"], !value.isEmpty { oauthJWKSURL = value }
        if let value = environment["ORDINAUT_OAUTH_INTROSPECTION_URL"], !value.isEmpty { oauthIntrospectionURL = value }
        if let value = environment["ORDINAUT_OAUTH_CLIENT_ID"], !value.isEmpty { oauthClientID = value }
        if let value = environment["ORDINAUT_OAUTH_CLIENT_SECRET"], !value.isEmpty { oauthClientSecret = value }
        if let value = environment["ORDINAUT_OAUTH_LEEWAY_SECONDS"] {
            oauthLeewaySeconds = try Configuration.integer(value, "ORDINAUT_OAUTH_LEEWAY_SECONDS", range: 0...600)
        }
        if let value = environment["ORDINAUT_OAUTH_DEFAULT_SCOPES"] {
            challengeScopes = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        }
        if (oauthIntrospectionURL != nil || oauthClientID != nil || oauthClientSecret != nil) && (oauthClientID == nil || oauthClientSecret == nil) {
            throw ConfigurationError("introspection needs both ORDINAUT_OAUTH_CLIENT_ID and ORDINAUT_OAUTH_CLIENT_SECRET (the credentials Ordinaut introspects with)")
        }
        if oauthIssuer == nil && (oauthJWKSURL != nil || oauthIntrospectionURL != nil || oauthClientID != nil) {
            throw ConfigurationError("ORDINAUT_OAUTH_JWKS_URL, ORDINAUT_OAUTH_INTROSPECTION_URL and ORDINAUT_OAUTH_CLIENT_ID need ORDINAUT_OAUTH_ISSUER (the issuer tokens must name)")
        }
        try readUIOAuth(environment)
        if let issuer = oauthIssuer, publicURL == nil {
            throw ConfigurationError("ORDINAUT_OAUTH_ISSUER=\(issuer) needs ORDINAUT_PUBLIC_URL, the URL clients use (such as https://ordinaut.example.com): access tokens must name <ORDINAUT_PUBLIC_URL>/mcp as their audience")
        }
    }

    /// The web UI's OAuth client. Its own variables, not `ORDINAUT_OAUTH_CLIENT_ID`: that client is
    /// the resource server's, for introspection (client credentials, no redirect URI), and giving it
    /// the browser's authorization-code grant would mix the two roles at the authorization server.
    private mutating func readUIOAuth(_ environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_UI_OAUTH_CLIENT_ID"], !value.isEmpty { uiOAuthClientID = value }
        if let value = environment["ORDINAUT_UI_OAUTH_CLIENT_SECRET"], !value.isEmpty { uiOAuthClientSecret = value }
        if let value = environment["ORDINAUT_UI_OAUTH_SCOPES"] { uiOAuthScopes = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
        if let value = environment["ORDINAUT_UI_OAUTH_NAME"], !value.isEmpty {
            guard value.count <= 64 else { throw ConfigurationError("ORDINAUT_UI_OAUTH_NAME is longer than 64 characters") }
            uiOAuthName = value
        }
        if let value = environment["ORDINAUT_UI_OAUTH_PENDING_SECONDS"] {
            uiOAuthPendingSeconds = try Configuration.integer(value, "ORDINAUT_UI_OAUTH_PENDING_SECONDS", range: 10...3600)
        }
        if let value = environment["ORDINAUT_UI_OAUTH_MAX_PENDING"] {
            uiOAuthMaxPending = try Configuration.integer(value, "ORDINAUT_UI_OAUTH_MAX_PENDING", range: 1...1_000_000)
        }
        if let value = environment["ORDINAUT_UI_OAUTH_REGISTER"] {
            uiOAuthRegister = try Configuration.boolean(value, "ORDINAUT_UI_OAUTH_REGISTER")
        }
        if uiOAuthRegister && uiOAuthClientID != nil {
            throw ConfigurationError("ORDINAUT_UI_OAUTH_REGISTER registers a client when none is configured; unset it, or unset ORDINAUT_UI_OAUTH_CLIENT_ID")
        }
        if uiOAuthRegister && oauthIssuer == nil {
            throw ConfigurationError("ORDINAUT_UI_OAUTH_REGISTER needs ORDINAUT_OAUTH_ISSUER (the authorization server to register the web UI with)")
        }
        if uiOAuthClientSecret != nil && uiOAuthClientID == nil {
            throw ConfigurationError("ORDINAUT_UI_OAUTH_CLIENT_SECRET needs ORDINAUT_UI_OAUTH_CLIENT_ID (the web UI's client at the authorization server)")
        }
        if uiOAuthClientID != nil && oauthIssuer == nil {
            throw ConfigurationError("ORDINAUT_UI_OAUTH_CLIENT_ID needs ORDINAUT_OAUTH_ISSUER (the authorization server the web UI signs in through)")
        }
    }

    private mutating func readLimits(_ environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_RATE_LIMIT"] { rateLimits.requests = try Self.limit(value, "ORDINAUT_RATE_LIMIT") }
        if let value = environment["ORDINAUT_TOOL_RATE_LIMIT"] { rateLimits.toolCalls = try Self.limit(value, "ORDINAUT_TOOL_RATE_LIMIT") }
        if let value = environment["ORDINAUT_TOOL_RATE_LIMITS"] {
            let object = try Configuration.jsonObject(value, "ORDINAUT_TOOL_RATE_LIMITS", example: #"{"task_create": "1:5", "ext:weather:tools": "10:20"}"#)
            for (key, limit) in object.members {
                guard let text = limit.stringValue, let parsed = try Self.limit(text, "ORDINAUT_TOOL_RATE_LIMITS (\(key))") else {
                    throw ConfigurationError("ORDINAUT_TOOL_RATE_LIMITS: the limit of \"\(key)\" must be a string RATE:BURST such as \"5:10\"")
                }
                rateLimits.toolOverrides[key] = parsed
            }
        }
        if let value = environment["ORDINAUT_MAX_SESSIONS_PER_PRINCIPAL"] {
            maxSessionsPerPrincipal = try Configuration.integer(value, "ORDINAUT_MAX_SESSIONS_PER_PRINCIPAL", range: 1...1_000_000)
        }
        if let value = environment["ORDINAUT_MAX_REQUESTS_PER_PRINCIPAL"] {
            maxRequestsPerPrincipal = try Configuration.integer(value, "ORDINAUT_MAX_REQUESTS_PER_PRINCIPAL", range: 1...1_000_000)
        }
        if let value = environment["ORDINAUT_TOKEN_CACHE_SECONDS"] {
            tokenCacheSeconds = try Configuration.integer(value, "ORDINAUT_TOKEN_CACHE_SECONDS", range: 0...300)
        }
        if let value = environment["ORDINAUT_UI_SESSION_SECONDS"] {
            uiSessionSeconds = try Configuration.integer(value, "ORDINAUT_UI_SESSION_SECONDS", range: 1...30 * 86400)
        }
        if let value = environment["ORDINAUT_UI_MAX_SESSIONS"] {
            uiMaxSessions = try Configuration.integer(value, "ORDINAUT_UI_MAX_SESSIONS", range: 1...1_000_000)
        }
    }

    /// `RATE:BURST` (per second), `RATE` (burst twice the rate), or `off`.
    static func limit(_ value: String, _ name: String) throws(ConfigurationError) -> TokenBucket.Limit? {
        let text = value.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "off" || text == "0" { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let rate = Double(parts[0]), rate > 0, rate <= 1_000_000,
              let burst = parts.count == 2 ? Double(parts[1]) : rate * 2, burst >= 1, burst <= 10_000_000 else {
            throw ConfigurationError("\(name)=\(value) is not a limit; use RATE:BURST (per second), such as 100:200, or off")
        }
        return TokenBucket.Limit(rate: rate, burst: burst)
    }
}
