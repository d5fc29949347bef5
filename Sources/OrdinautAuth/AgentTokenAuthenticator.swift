import Crypto
import Foundation
import Synchronization

/// The format of stored agent tokens (`ordinaut token create`): `ordn_` followed by 32 random bytes
/// in unpadded base64url, 48 characters in all. The marker lets every authenticator tell at a glance
/// whether a bearer token is one of these, without a lookup.
public enum AgentTokenFormat {
    /// What every agent token starts with.
    public static let marker = "ordn_"
    /// The length of a token: the marker and 43 base64url characters.
    public static let length = 48

    /// A new token from 32 bytes of the system's CSPRNG. Show it once; store only `TokenDigest.hex(of:)`.
    public static func generate() -> String {
        marker + RandomToken.base64url()
    }

    /// Whether `token` has the shape of an agent token (the marker, then 43 base64url characters).
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == length && token.hasPrefix(marker) && token.utf8.dropFirst(marker.utf8.count).allSatisfy { byte in
            (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == 45 || byte == 95
        }
    }

    /// What lists show to recognise a token: the marker and the next 8 characters (48 of its 256
    /// random bits, so the rest still cannot be guessed).
    public static func displayPrefix(of token: String) -> String {
        String(token.prefix(marker.count + 8))
    }
}

/// What the directory of stored agent tokens says about a token's digest.
public enum AgentTokenLookup: Sendable, Equatable {
    /// A token that may be used now, with its agent's scopes.
    case found(agentID: String, agentName: String, tokenID: String, scopes: [String])
    /// A stored token that must not be accepted: revoked, expired, or its agent disabled.
    case refused(reason: String)
    /// No token has this digest.
    case unknown
}

/// Where stored agent tokens are looked up by their SHA-256 digest (the store, or a test double).
public protocol AgentTokenDirectory: Sendable {
    /// Throws when the answer cannot be known now (the database is unreachable).
    func lookup(digest: String) async throws -> AgentTokenLookup
}

/// Accepts the bearer tokens of stored agents (`agent_token`). Tokens without the agent-token marker
/// are left to the next authenticator without a lookup, so tokens-file tokens and OAuth JWTs never
/// reach the database.
///
/// Answers, good and bad, are cached by digest for `revocationDelay`: the documented bound within
/// which revoking a token, or disabling its agent, takes effect on every node (an expiry likewise).
/// The cache holds at most `capacity` answers; the oldest go first. Failed lookups are not cached.
public final class AgentTokenAuthenticator: Authenticator {
    public var name: String { "agent_token" }
    /// How long an answer is reused before the directory is asked again.
    public let revocationDelay: Duration
    /// The most answers kept.
    public let capacity: Int
    private let directory: any AgentTokenDirectory
    private let clock: @Sendable () -> ContinuousClock.Instant
    /// Answers by token digest, each for `revocationDelay` from when it was asked for.
    private let cache: Mutex<ExpiringCache<String, AuthenticationResult, ContinuousClock.Instant>>

    /// `clock` is for tests; the default is the monotonic clock.
    public init(directory: any AgentTokenDirectory, revocationDelay: Duration = .seconds(5), capacity: Int = 10_000,
                clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.directory = directory
        self.revocationDelay = revocationDelay
        self.capacity = max(1, capacity)
        self.clock = clock
        cache = Mutex(ExpiringCache(capacity: max(1, capacity)))
    }

    /// How many answers are cached now (for tests and metrics).
    public var cachedAnswers: Int { cache.withLock { $0.count } }

    public func authenticate(_ credential: Credential) async -> AuthenticationResult {
        guard case .bearer(let token) = credential, token.hasPrefix(AgentTokenFormat.marker) else { return .unrecognized }
        guard AgentTokenFormat.isWellFormed(token) else { return .rejected("the agent token is malformed") }
        let digest = TokenDigest.hex(of: token)
        // Read before asking, so an answer never outlives `revocationDelay` after the state it reflects.
        let asked = clock()
        if let cached = cache.withLock({ $0.value(for: digest, now: asked) }) { return cached }
        let answer: AgentTokenLookup
        do {
            answer = try await directory.lookup(digest: digest)
        } catch {
            return .unavailable("agent tokens cannot be checked now: \(error)")
        }
        // The result, principal included, is what is cached: a repeat builds nothing.
        let result = Self.result(of: answer)
        cache.withLock { $0.insert(result, for: digest, until: asked + revocationDelay, now: asked) }
        return result
    }

    static func result(of answer: AgentTokenLookup) -> AuthenticationResult {
        switch answer {
        case .found(let agentID, let agentName, _, let scopes):
            .authenticated(Principal(subject: "agent:" + agentID, displayName: agentName, scopes: ScopeSet(scopes), method: .agentToken))
        case .refused(let reason):
            .rejected(reason)
        case .unknown:
            // Not ours after all: the next authenticator may know it (the chain answers 401 otherwise).
            .unrecognized
        }
    }
}
