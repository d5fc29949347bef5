import Logging
import OrdinautAccess
import OrdinautAuth
import OrdinautHTTP
import OrdinautMCP
import OrdinautStore
import OrdinautWebhooks

/// Refuses to serve anonymous clients beyond this machine, and warns about credentials that are
/// configured but not required.
func checkExposure(_ configuration: Configuration, logger: Logger) throws(ConfigurationError) {
    let access = configuration.access
    if !HostAuthority.isLoopback(configuration.host) && !access.requireScopes && !access.allowAnonymous {
        throw ConfigurationError("""
            refusing to serve \(configuration.host):\(configuration.port) without credentials: anyone who can reach it could run tools and schedule tasks. \
            Either require credentials (ORDINAUT_REQUIRE_SCOPES=true with ORDINAUT_TOKENS_FILE, stored agent tokens (ordinaut agent create), or ORDINAUT_OAUTH_ISSUER), \
            or accept anonymous clients explicitly (--allow-anonymous or ORDINAUT_ALLOW_ANONYMOUS=true, for a trusted network only)
            """)
    }
    if access.hasCredentialSources && !access.requireScopes {
        logger.warning("credentials are configured but not required: requests without one act as the anonymous local user with every scope; set ORDINAUT_REQUIRE_SCOPES=true")
    }
}

/// The access layer of `ordinaut serve`: the authenticators the configuration names, the browser
/// rules and the limits.
func makeAccessGate(_ configuration: Configuration, agents: AgentStore, observer: (any AccessObserver)?, auditor: RefusalAuditor?,
                    logger: Logger) throws(ConfigurationError) -> AccessGate {
    let access = configuration.access
    var authenticators: [any Authenticator] = []
    // Agent tokens need no configuration: an `ordn_…` bearer token is looked up in the database (one
    // the database does not know is passed on), and any other token costs only a prefix check.
    authenticators.append(AgentTokenAuthenticator(directory: StoredAgentDirectory(store: agents, logger: logger),
                                                  revocationDelay: .seconds(access.tokenCacheSeconds)))
    if !access.tokens.isEmpty { authenticators.append(access.tokens) }
    // OAuth after both: an introspected opaque token it does not know is refused, not passed on.
    // (Each of the three hashes a token it considers; the agent prefix keeps that to two at most.)
    let fetcher = CurlOAuthFetcher(client: CurlClient(maxConnections: 8))
    let oauth = try makeOAuthAuthenticator(access, fetcher: fetcher, logger: logger)
    if let oauth { authenticators.append(oauth) }
    if let secret = access.proxySecret { authenticators.append(TrustedProxyAuthenticator(secret: secret)) }
    var settings = AccessConfiguration(
        authenticators: AuthenticatorChain(authenticators), requireCredentials: access.requireScopes,
        allowedOrigins: configuration.allowedOrigins, allowedHosts: configuration.allowedHosts, bindHost: configuration.host,
        publicURL: access.publicURL, authorizationServers: access.oauthIssuer.map { [$0] } ?? [],
        challengeScopes: access.challengeScopes, rateLimits: access.rateLimits,
        concurrentRequestsPerPrincipal: access.maxRequestsPerPrincipal, observer: observer)
    settings.sessions = BrowserSessions(lifetime: .seconds(access.uiSessionSeconds), capacity: access.uiMaxSessions)
    if let oauth, access.uiOAuthClientID != nil || access.uiOAuthRegister, let publicURL = access.publicURL {
        // The sign-in shares the authenticator's discovery: one metadata fetch serves both.
        settings.oauthSignIn = OAuthSignIn(
            configuration: OAuthSignIn.Configuration(
                issuer: oauth.configuration.issuer,
                client: access.uiOAuthClientID.map { OAuthClient(id: $0, secret: access.uiOAuthClientSecret) },
                redirectURI: publicURL + "/session/oauth/callback", resource: oauth.configuration.resource,
                scopes: access.uiOAuthScopes ?? access.challengeScopes, pendingLifetime: .seconds(access.uiOAuthPendingSeconds),
                maxPending: access.uiOAuthMaxPending, displayName: access.uiOAuthName),
            fetcher: fetcher, metadata: { await oauth.authorizationServerMetadata() })
    }
    var failureLogger = logger
    failureLogger[metadataKey: "component"] = "access"
    let failures = failureLogger
    // One line a second per address at most (bursts of five): a guessing client cannot flood the log.
    let logLimiter = RateLimiter(maximumKeys: 10_000)
    settings.onAuthenticationFailure = { reason, address, path in
        guard case .allowed = logLimiter.take(address ?? "?", limit: TokenBucket.Limit(rate: 1, burst: 5)) else { return }
        failures.notice("credential refused", metadata: ["reason": .string(reason), "address": .string(address ?? "?"), "path": .string(path)])
        auditor?.record(RefusalAuditor.Refusal(reason: reason, address: address, path: path))
    }
    return AccessGate(configuration: settings)
}

/// The OAuth 2.1 authenticator `ORDINAUT_OAUTH_*` describe, fetching through libcurl; `nil` without an
/// issuer. It does no I/O until the first token arrives, so the server starts while the
/// authorization server is down.
func makeOAuthAuthenticator(_ access: AccessSettings, fetcher: CurlOAuthFetcher, logger: Logger) throws(ConfigurationError) -> OAuthAuthenticator? {
    guard let issuer = access.oauthIssuer, let publicURL = access.publicURL else { return nil }
    var introspection: OAuthConfiguration.Introspection?
    if let clientID = access.oauthClientID, let secret = access.oauthClientSecret {
        introspection = OAuthConfiguration.Introspection(url: access.oauthIntrospectionURL, clientID: clientID, clientSecret: secret)
    }
    var oauthLogger = logger
    oauthLogger[metadataKey: "component"] = "oauth"
    do {
        return try OAuthAuthenticator(
            configuration: OAuthConfiguration(
                issuer: issuer, resource: publicURL + "/mcp", additionalAudiences: access.oauthAudiences,
                leeway: .seconds(access.oauthLeewaySeconds), jwksURL: access.oauthJWKSURL, introspection: introspection),
            fetcher: fetcher, logger: oauthLogger)
    } catch {
        throw ConfigurationError("ORDINAUT_OAUTH_*: \(error.description)")
    }
}
