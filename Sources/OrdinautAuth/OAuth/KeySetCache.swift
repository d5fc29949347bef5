import Foundation
import Logging
import OrdinautCore

/// The authorization server's signature keys, fetched from its `jwks_uri` and kept fresh.
///
/// - The first caller fetches; callers that arrive meanwhile wait for that same fetch.
/// - A token with an unknown `kid` (a key rotation) triggers one refetch, at most once per
///   `minimumRefreshInterval`; concurrent callers share it.
/// - Keys older than `maximumAge` are refreshed in the background while the old keys keep
///   answering, so a slow fetch never delays a caller whose key is cached.
/// - A failed fetch (down, slow, garbage) keeps the old keys and logs why; only a cache that never
///   had keys answers ``TokenRejection/Kind/unavailable``.
public actor KeySetCache {
    /// The default floor between two fetches.
    public static let defaultMinimumRefreshInterval: Duration = .seconds(10)
    /// The default age after which keys are refreshed in the background.
    public static let defaultMaximumAge: Duration = .seconds(600)

    /// Where the keys are fetched from.
    public nonisolated let url: OAuthURL
    private let fetcher: any OAuthFetcher
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private var state: KeySetCacheState
    private var inFlight: Task<Void, Never>?

    /// A cache of the key set at `url`; nothing is fetched until the first caller asks.
    public init(
        url: OAuthURL, fetcher: any OAuthFetcher, clock: @escaping @Sendable () -> Date,
        minimumRefreshInterval: Duration = KeySetCache.defaultMinimumRefreshInterval,
        maximumAge: Duration = KeySetCache.defaultMaximumAge,
        logger: Logger = Logger(label: "ordinaut.oauth")
    ) {
        self.url = url
        self.fetcher = fetcher
        self.clock = clock
        self.logger = logger
        state = KeySetCacheState(minimumRefreshInterval: minimumRefreshInterval.seconds, maximumAge: maximumAge.seconds)
    }

    /// The current keys: fetched on first use, refreshed in the background once stale.
    public func keys() async -> Result<JSONWebKeySet, TokenRejection> {
        await perform(state.current(now: clock()))
    }

    /// The keys after a token named a `kid` they lack: refetched if no fetch started in the last
    /// `minimumRefreshInterval`, otherwise the current keys.
    public func keysAfterUnknownKey() async -> Result<JSONWebKeySet, TokenRejection> {
        await perform(state.unknownKey(now: clock()))
    }

    /// The key with this `kid`, refetching once (rate-limited) if the current keys lack it.
    public func key(for keyID: String) async -> JSONWebKey? {
        if case .success(let set) = await keys(), let key = set.keys.first(where: { $0.keyID == keyID }) { return key }
        guard case .success(let set) = await keysAfterUnknownKey() else { return nil }
        return set.keys.first { $0.keyID == keyID }
    }

    /// Why the last fetch failed, while that is the latest news; `nil` after a success.
    public var problem: String? { state.lastProblem }

    /// When the keys in use were fetched.
    public var fetchedAt: Date? { state.fetchedAt }

    private func perform(_ action: KeySetCacheState.Action) async -> Result<JSONWebKeySet, TokenRejection> {
        switch action {
        case .serve(let refresh):
            if refresh { startFetch() }
        case .awaitFetch(let start):
            if start { startFetch() }
            await inFlight?.value
        case .unavailable(let reason):
            return .failure(.unavailable(reason))
        }
        guard let keys = state.keys else {
            return .failure(.unavailable("the authorization server's keys could not be fetched from \(url): \(state.lastProblem ?? "unknown reason")"))
        }
        return .success(keys)
    }

    private func startFetch() {
        // An unstructured task, on purpose: the fetch must outlive the request that noticed the need
        // (a background refresh nobody waits for), and every caller that needs it awaits the same
        // one. It is bounded by the fetcher's timeout and the state allows one at a time.
        inFlight = Task { await self.fetch() }
    }

    private func fetch() async {
        let outcome: Result<JSONWebKeySet, KeySetCacheState.FetchProblem>
        switch await fetcher.get(url.text) {
        case .failure(let failure):
            outcome = .failure(.init(reason: "\(url): \(failure.reason)"))
        case .success(let document) where document.status != 200:
            outcome = .failure(.init(reason: "\(url): HTTP \(document.status)"))
        case .success(let document):
            do {
                outcome = .success(try JSONWebKeySet(parsing: document.body))
            } catch {
                outcome = .failure(.init(reason: "\(url): \(error)"))
            }
        }
        let hadKeys = state.keys?.keys.count ?? 0
        state.finish(outcome, now: clock())
        inFlight = nil
        switch outcome {
        case .success(let set):
            logger.debug("fetched the OAuth key set", metadata: ["url": "\(url)", "keys": "\(set.keys.count)"])
            for skipped in set.skipped {
                logger.warning("skipped a key of the OAuth key set", metadata: ["url": "\(url)", "reason": "\(skipped)"])
            }
        case .failure(let problem) where hadKeys > 0:
            logger.warning("could not refresh the OAuth key set; keeping the \(hadKeys) keys fetched before", metadata: ["reason": "\(problem.reason)"])
        case .failure(let problem):
            logger.error("could not fetch the OAuth key set; OAuth tokens cannot be checked", metadata: ["reason": "\(problem.reason)"])
        }
    }
}
