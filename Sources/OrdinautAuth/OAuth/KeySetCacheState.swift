import Foundation

/// The decisions of ``KeySetCache`` without the I/O: when to serve the keys it has, when to fetch,
/// when a caller must wait for a fetch, and when there is nothing to serve.
///
/// At most one fetch is in flight. A fetch starts at most once per `minimumRefreshInterval`,
/// whatever prompts it (first use, an unknown `kid`, age), so a flood of tokens with made-up `kid`s
/// or an authorization server that is down costs one request per interval.
struct KeySetCacheState: Sendable {
    /// What the cache does for one caller.
    enum Action: Equatable {
        /// Answer with these keys now; if `startBackgroundRefresh`, also start a fetch nobody waits for.
        case serve(startBackgroundRefresh: Bool)
        /// Wait for the fetch in flight; if `start`, this caller starts it.
        case awaitFetch(start: Bool)
        /// No keys and no fetch allowed now.
        case unavailable(String)
    }

    let minimumRefreshInterval: TimeInterval
    let maximumAge: TimeInterval

    private(set) var keys: JSONWebKeySet?
    private(set) var fetchedAt: Date?
    private(set) var lastAttempt: Date?
    private(set) var lastProblem: String?
    private(set) var isFetching = false

    init(minimumRefreshInterval: TimeInterval, maximumAge: TimeInterval) {
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumAge = maximumAge
    }

    /// A caller wants the current keys.
    mutating func current(now: Date) -> Action {
        guard keys != nil, let fetchedAt else { return fetchForMissingKeys(now: now) }
        let stale = now.timeIntervalSince(fetchedAt) >= maximumAge
        if stale, !isFetching, mayStartFetch(now: now) {
            begin(now: now)
            return .serve(startBackgroundRefresh: true)
        }
        return .serve(startBackgroundRefresh: false)
    }

    /// A caller's token names a `kid` the current keys lack: refetch, unless that was done recently.
    mutating func unknownKey(now: Date) -> Action {
        guard keys != nil else { return fetchForMissingKeys(now: now) }
        if isFetching { return .awaitFetch(start: false) }
        guard mayStartFetch(now: now) else { return .serve(startBackgroundRefresh: false) }
        begin(now: now)
        return .awaitFetch(start: true)
    }

    /// A fetch ended. A failure keeps the keys there are: a key set that was good a minute ago is a
    /// better answer than none while the authorization server is down or serving garbage.
    mutating func finish(_ result: Result<JSONWebKeySet, FetchProblem>, now: Date) {
        isFetching = false
        switch result {
        case .success(let set):
            keys = set
            fetchedAt = now
            lastProblem = nil
        case .failure(let problem):
            lastProblem = problem.reason
        }
    }

    /// A reason a fetch produced no key set.
    struct FetchProblem: Error {
        let reason: String
    }

    private mutating func fetchForMissingKeys(now: Date) -> Action {
        if isFetching { return .awaitFetch(start: false) }
        guard mayStartFetch(now: now) else {
            return .unavailable("the authorization server's keys could not be fetched: \(lastProblem ?? "no attempt yet")")
        }
        begin(now: now)
        return .awaitFetch(start: true)
    }

    private func mayStartFetch(now: Date) -> Bool {
        guard let lastAttempt else { return true }
        return now.timeIntervalSince(lastAttempt) >= minimumRefreshInterval || now < lastAttempt
    }

    private mutating func begin(now: Date) {
        isFetching = true
        lastAttempt = now
    }
}
