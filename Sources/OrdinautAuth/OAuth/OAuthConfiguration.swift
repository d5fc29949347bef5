/// How Ordinaut, as an OAuth 2.1 resource server (MCP authorization), accepts access tokens.
///
/// Only ``issuer`` and ``resource`` are required: the key set and the introspection endpoint are
/// then found through the issuer's metadata on first use.
public struct OAuthConfiguration: Sendable {
    /// Client credentials for token introspection (RFC 7662), and optionally where to introspect.
    public struct Introspection: Sendable, CustomStringConvertible, CustomReflectable {
        /// The introspection endpoint; `nil` takes `introspection_endpoint` from the metadata.
        public var url: String?
        /// This resource server's client id at the authorization server.
        public var clientID: String
        /// Its client secret.
        public var clientSecret: String

        /// Credentials, and optionally the endpoint.
        public init(url: String? = nil, clientID: String, clientSecret: String) {
            self.url = url
            self.clientID = clientID
            self.clientSecret = clientSecret
        }

        /// The settings with the secret left out, for logs.
        public var description: String {
            "Introspection(url: \(url ?? "from metadata"), clientID: \(clientID), clientSecret: <redacted>)"
        }

        /// The settings with the secret left out, for `dump` and debuggers.
        public var customMirror: Mirror {
            Mirror(self, children: ["url": url as Any, "clientID": clientID, "clientSecret": "<redacted>"])
        }
    }

    /// The authorization server's issuer identifier, exactly as it appears in `iss` and in its
    /// metadata (`https://auth.example.com`, `https://kc.example.com/realms/ops`).
    public var issuer: String
    /// This server's resource URL (RFC 8707, RFC 9728), e.g. `https://ordinaut.example.com/mcp`: the
    /// audience tokens must be issued for.
    public var resource: String
    /// Further `aud` values accepted besides ``resource`` (aliases, a logical API identifier).
    public var additionalAudiences: [String]
    /// Clock skew tolerated on `exp`, `nbf` and `iat`. Default 60 s.
    public var leeway: Duration
    /// The JWK Set URL; when set, the metadata is not consulted for keys.
    public var jwksURL: String?
    /// Introspection of opaque tokens; `nil` leaves opaque tokens to the other authenticators.
    public var introspection: Introspection?
    /// The most accepted tokens remembered; 0 turns the cache off. Default 10,000.
    public var cacheCapacity: Int
    /// The longest an acceptance is remembered, even when the token lives longer: how late a
    /// revocation seen by introspection, or a key removed from the key set, takes effect. Default 5 min.
    public var maximumCacheLifetime: Duration
    /// The least time between two fetches of the key set, and between two discovery attempts after
    /// a failure. Default 10 s.
    public var minimumRefreshInterval: Duration
    /// The age at which the key set is refreshed in the background. Default 10 min.
    public var keySetMaximumAge: Duration

    /// A configuration with the documented defaults.
    public init(
        issuer: String, resource: String, additionalAudiences: [String] = [],
        leeway: Duration = AccessTokenValidator.defaultLeeway, jwksURL: String? = nil, introspection: Introspection? = nil,
        cacheCapacity: Int = 10_000, maximumCacheLifetime: Duration = .seconds(300),
        minimumRefreshInterval: Duration = KeySetCache.defaultMinimumRefreshInterval,
        keySetMaximumAge: Duration = KeySetCache.defaultMaximumAge
    ) {
        self.issuer = issuer
        self.resource = resource
        self.additionalAudiences = additionalAudiences
        self.leeway = leeway
        self.jwksURL = jwksURL
        self.introspection = introspection
        self.cacheCapacity = cacheCapacity
        self.maximumCacheLifetime = maximumCacheLifetime
        self.minimumRefreshInterval = minimumRefreshInterval
        self.keySetMaximumAge = keySetMaximumAge
    }

    /// The configuration with its URLs parsed and checked (https, or http on loopback only).
    func resolved() throws(ConfigurationProblem) -> ResolvedOAuthConfiguration {
        func url(_ text: String, _ setting: String) throws(ConfigurationProblem) -> OAuthURL {
            do {
                return try OAuthURL(parsing: text, setting: setting)
            } catch {
                throw ConfigurationProblem(error.description)
            }
        }
        let issuerURL = try url(issuer, "OAuth issuer")
        guard issuerURL.query == nil else {
            throw ConfigurationProblem("OAuth issuer=\(issuer): an issuer identifier has no query (RFC 8414 section 2)")
        }
        _ = try url(resource, "OAuth resource")
        guard leeway >= .zero, leeway <= .seconds(600) else {
            throw ConfigurationProblem("OAuth leeway=\(leeway): must be between 0 and 600 seconds")
        }
        guard cacheCapacity >= 0 else { throw ConfigurationProblem("OAuth cache capacity=\(cacheCapacity): must not be negative") }
        var introspectionURL: OAuthURL?
        if let introspection {
            guard !introspection.clientID.isEmpty else {
                throw ConfigurationProblem("OAuth introspection: the client id is empty; set the client id registered for this resource server")
            }
            if let text = introspection.url { introspectionURL = try url(text, "OAuth introspection URL") }
        }
        return ResolvedOAuthConfiguration(
            issuer: issuerURL, audiences: [resource] + additionalAudiences,
            jwksURL: try jwksURL.map { text throws(ConfigurationProblem) in try url(text, "OAuth JWKS URL") },
            introspectionURL: introspectionURL)
    }
}

/// An ``OAuthConfiguration`` whose URLs are parsed.
struct ResolvedOAuthConfiguration: Sendable {
    let issuer: OAuthURL
    let audiences: [String]
    let jwksURL: OAuthURL?
    let introspectionURL: OAuthURL?
}
