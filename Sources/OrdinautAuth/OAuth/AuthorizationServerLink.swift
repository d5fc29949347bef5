import Foundation
import Logging
import OrdinautCore

/// The authorization server as this process knows it: discovered lazily on the first token, so the
/// server starts while the authorization server is down, and rediscovered no more than once per
/// retry interval after a failure. Configured URLs are used as they are and need no discovery.
actor AuthorizationServerLink {
    private enum Discovery {
        case notStarted
        case running(Task<Void, Never>)
        case failed(MetadataProblem, at: Date)
        case done(AuthorizationServerMetadata)
    }

    private let configuration: OAuthConfiguration
    private let resolved: ResolvedOAuthConfiguration
    private let fetcher: any OAuthFetcher
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let validator: AccessTokenValidator
    private var discovery: Discovery = .notStarted
    private var keySetCache: KeySetCache?
    private var introspectionClient: IntrospectionClient?

    init(
        configuration: OAuthConfiguration, resolved: ResolvedOAuthConfiguration, validator: AccessTokenValidator,
        fetcher: any OAuthFetcher, clock: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.configuration = configuration
        self.resolved = resolved
        self.validator = validator
        self.fetcher = fetcher
        self.clock = clock
        self.logger = logger
    }

    /// Whether opaque tokens are introspected at all.
    nonisolated var introspects: Bool { configuration.introspection != nil }

    /// The key set cache, once its URL is known (configured, or the metadata's `jwks_uri`).
    func keySet() async -> Result<KeySetCache, TokenRejection> {
        if let keySetCache { return .success(keySetCache) }
        let url: OAuthURL
        if let configured = resolved.jwksURL {
            url = configured
        } else {
            switch await metadata() {
            case .failure(let problem): return .failure(.unavailable(problem.description))
            case .success(let metadata):
                guard let found = metadata.jwksURI else {
                    return .failure(.unavailable("the metadata at \(metadata.source) has no jwks_uri; configure the OAuth JWKS URL"))
                }
                url = found
            }
        }
        // Another caller may have created it while this one awaited the metadata.
        if let keySetCache { return .success(keySetCache) }
        let cache = KeySetCache(
            url: url, fetcher: fetcher, clock: clock, minimumRefreshInterval: configuration.minimumRefreshInterval,
            maximumAge: configuration.keySetMaximumAge, logger: logger)
        keySetCache = cache
        return .success(cache)
    }

    /// The introspection client, once its endpoint is known; `nil` when introspection is not configured.
    func introspection() async -> Result<IntrospectionClient?, TokenRejection> {
        guard let credentials = configuration.introspection else { return .success(nil) }
        if let introspectionClient { return .success(introspectionClient) }
        let url: OAuthURL
        if let configured = resolved.introspectionURL {
            url = configured
        } else {
            switch await metadata() {
            case .failure(let problem): return .failure(.unavailable(problem.description))
            case .success(let metadata):
                guard let found = metadata.introspectionEndpoint else {
                    return .failure(.unavailable(
                        "the metadata at \(metadata.source) has no introspection_endpoint; configure the OAuth introspection URL"))
                }
                url = found
            }
        }
        let client = IntrospectionClient(
            endpoint: url, clientID: credentials.clientID, clientSecret: credentials.clientSecret, fetcher: fetcher, validator: validator)
        introspectionClient = client
        return .success(client)
    }

    /// What currently stops tokens from being checked, for the health report: a failed discovery or
    /// a failed key set fetch. `nil` when all is well or nothing was tried yet.
    func problem() async -> String? {
        if case .failed(let problem, _) = discovery { return problem.description }
        return await keySetCache?.problem
    }

    /// The authorization server's metadata, discovered once (and again no more than once per retry
    /// interval after a failure).
    func metadata() async -> Result<AuthorizationServerMetadata, MetadataProblem> {
        switch discovery {
        case .done(let metadata):
            return .success(metadata)
        case .failed(let problem, let at):
            let now = clock()
            if now.timeIntervalSince(at) < configuration.minimumRefreshInterval.seconds, now >= at { return .failure(problem) }
            startDiscovery()
        case .notStarted:
            startDiscovery()
        case .running:
            break
        }
        if case .running(let task) = discovery { await task.value }
        switch discovery {
        case .done(let metadata): return .success(metadata)
        case .failed(let problem, _): return .failure(problem)
        case .notStarted, .running: return .failure(MetadataProblem(.unreachable, "discovery of \(resolved.issuer) did not finish"))
        }
    }

    private func startDiscovery() {
        // Unstructured so that concurrent first requests share one discovery, and one whose caller
        // is cancelled still completes for the next; bounded by the fetcher's timeouts.
        discovery = .running(Task { await self.discover() })
    }

    private func discover() async {
        switch await AuthorizationServerMetadata.discover(issuer: resolved.issuer, fetcher: fetcher) {
        case .success(let metadata):
            logger.info("discovered the OAuth authorization server", metadata: [
                "issuer": "\(metadata.issuer)", "source": "\(metadata.source)",
                "jwks_uri": "\(metadata.jwksURI?.text ?? "none")",
                "introspection_endpoint": "\(metadata.introspectionEndpoint?.text ?? "none")",
            ])
            discovery = .done(metadata)
        case .failure(let problem):
            logger.error("OAuth discovery failed; tokens cannot be checked until it succeeds", metadata: ["reason": "\(problem)"])
            discovery = .failed(problem, at: clock())
        }
    }
}
