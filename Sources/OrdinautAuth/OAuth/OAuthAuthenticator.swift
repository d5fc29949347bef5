import Foundation
import Logging
import OrdinautCore
import Synchronization

/// Accepts OAuth 2.1 access tokens issued for this resource (MCP authorization, resource server
/// side): JWTs (RFC 9068) verified against the issuer's key set, and opaque tokens by introspection
/// (RFC 7662) when configured.
///
/// Which tokens it claims, so that the rest of an ``AuthenticatorChain`` still works:
/// - a JWT whose (unverified) `iss` is another issuer is ``AuthenticationResult/unrecognized``:
///   another authenticator may trust that issuer;
/// - a JWT of our issuer, or one without `iss`, is validated, and on failure
///   ``AuthenticationResult/rejected(_:)``;
/// - an opaque token is ``AuthenticationResult/unrecognized`` without introspection (tokens-file and
///   agent tokens are opaque), and introspected with it — put this authenticator after the local
///   ones, since an introspection is a network round trip and an inactive token is rejected.
///
/// Acceptances are remembered by the token's SHA-256 until `min(exp, now + maximumCacheLifetime)`,
/// so a token seen before costs a hash and a dictionary lookup (about 1 µs in a release build).
/// When keys or introspection cannot be reached the answer is
/// ``AuthenticationResult/unavailable(_:)`` (503), never a rejection.
public final class OAuthAuthenticator: Authenticator {
    /// Counts for metrics and tests.
    public struct Statistics: Sendable, Hashable {
        /// Tokens answered from the cache of accepted tokens.
        public var cacheHits = 0
        /// JWTs checked against the key set (each one signature verification at most).
        public var jwtValidations = 0
        /// Opaque tokens sent to introspection.
        public var introspections = 0
    }

    private struct Memory: Sendable {
        var cache: ValidatedTokenCache
        var statistics = Statistics()
    }

    /// `oauth`.
    public var name: String { "oauth" }

    /// The configuration this authenticator was made with.
    public let configuration: OAuthConfiguration
    private let validator: AccessTokenValidator
    private let link: AuthorizationServerLink
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let memory: Mutex<Memory>

    /// An authenticator for `configuration`; it does no I/O until the first token arrives.
    ///
    /// Throws when a configured URL is unusable (not https and not loopback, a query in the issuer).
    public init(
        configuration: OAuthConfiguration, fetcher: any OAuthFetcher, clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "ordinaut.oauth")
    ) throws(ConfigurationProblem) {
        let resolved = try configuration.resolved()
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        validator = AccessTokenValidator(issuer: configuration.issuer, audiences: resolved.audiences, leeway: configuration.leeway)
        link = AuthorizationServerLink(
            configuration: configuration, resolved: resolved, validator: validator, fetcher: fetcher, clock: clock, logger: logger)
        memory = Mutex(Memory(cache: ValidatedTokenCache(capacity: configuration.cacheCapacity)))
    }

    /// Decides on a bearer token; any other credential is ``AuthenticationResult/unrecognized``.
    public func authenticate(_ credential: Credential) async -> AuthenticationResult {
        guard case .bearer(let token) = credential else { return .unrecognized }
        let now = clock()
        let fingerprint = TokenFingerprint(of: token)
        let cached = memory.withLock { memory -> Principal? in
            guard let principal = memory.cache.value(for: fingerprint, now: now) else { return nil }
            memory.statistics.cacheHits += 1
            return principal
        }
        if let cached { return .authenticated(cached) }

        let outcome: Result<AccessTokenClaims, TokenRejection>
        if CompactJWS.looksLikeJWT(token) {
            if let issuer = CompactJWS.unverifiedIssuer(of: token), issuer != configuration.issuer {
                return .unrecognized
            }
            outcome = await validateJWT(token, now: now)
        } else {
            guard link.introspects else { return .unrecognized }
            outcome = await introspect(token, now: now)
        }

        switch outcome {
        case .success(let claims):
            guard let principal = claims.principal else { return .rejected("the token names neither a subject nor a client") }
            let limit = now.addingTimeInterval(configuration.maximumCacheLifetime.seconds)
            let until = claims.expiresAt.map { min($0, limit) } ?? limit
            memory.withLock { $0.cache.insert(principal, for: fingerprint, until: until, now: now) }
            return .authenticated(principal)
        case .failure(let rejection) where rejection.kind == .unavailable:
            logger.warning("cannot check an OAuth access token now", metadata: ["reason": "\(rejection.reason)"])
            return .unavailable(rejection.reason)
        case .failure(let rejection):
            logger.info("rejected an OAuth access token", metadata: ["kind": "\(rejection.kind)", "reason": "\(rejection.reason)"])
            return .rejected(rejection.reason)
        }
    }

    /// What currently keeps tokens from being checked (discovery or key set fetch failing), for the
    /// health report and the log; `nil` when all is well or nothing was needed yet.
    public func metadataProblem() async -> String? {
        await link.problem()
    }

    /// The authorization server's metadata, from the same discovery the token checks use: the web
    /// UI's sign-in finds the authorization and token endpoints in it.
    public func authorizationServerMetadata() async -> Result<AuthorizationServerMetadata, MetadataProblem> {
        await link.metadata()
    }

    /// Counts of cache hits, JWT validations and introspections so far.
    public var statistics: Statistics {
        memory.withLock { $0.statistics }
    }

    private func validateJWT(_ token: String, now: Date) async -> Result<AccessTokenClaims, TokenRejection> {
        let jws: CompactJWS
        do {
            jws = try CompactJWS(parsing: token)
        } catch {
            return .failure(error)
        }
        let cache: KeySetCache
        switch await link.keySet() {
        case .success(let found): cache = found
        case .failure(let rejection): return .failure(rejection)
        }
        var result = await validate(jws, with: cache.keys(), now: now)
        if case .failure(let rejection) = result, rejection.isUnknownKey {
            // A kid we lack is most often a key rotation: refetch once (the cache rate-limits it).
            result = await validate(jws, with: cache.keysAfterUnknownKey(), now: now)
        }
        return result
    }

    private func validate(
        _ jws: CompactJWS, with keys: Result<JSONWebKeySet, TokenRejection>, now: Date
    ) -> Result<AccessTokenClaims, TokenRejection> {
        switch keys {
        case .failure(let rejection):
            return .failure(rejection)
        case .success(let set):
            memory.withLock { $0.statistics.jwtValidations += 1 }
            return validator.validate(jws, keys: set, now: now)
        }
    }

    private func introspect(_ token: String, now: Date) async -> Result<AccessTokenClaims, TokenRejection> {
        switch await link.introspection() {
        case .failure(let rejection):
            return .failure(rejection)
        case .success(nil):
            return .failure(.unavailable("token introspection is not configured"))
        case .success(let client?):
            memory.withLock { $0.statistics.introspections += 1 }
            return await client.introspect(token, now: now)
        }
    }
}
