import OrdinautCore
import Synchronization

/// Token buckets per key (a principal's subject, or an address for anonymous clients), each with
/// the limit its key falls under. Memory is bounded: at most `maximumKeys` buckets are kept; full
/// buckets are forgotten first (forgetting one changes nothing), and past the bound the oldest
/// others go too.
///
/// Limits are per process. With several nodes each enforces its own, so the effective limit is the
/// node count times the configured one; sharing them through Redis would cost a round trip on every
/// request, which the limits exist to protect.
public final class RateLimiter: Sendable {
    private struct State {
        var buckets: [String: TokenBucket] = [:]
    }

    private let state = Mutex(State())
    private let maximumKeys: Int
    private let clock: @Sendable () -> Double

    public init(maximumKeys: Int = 100_000, clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.maximumKeys = maximumKeys
        self.clock = clock
    }

    /// Takes a token for `key` under `limit`.
    public func take(_ key: String, limit: TokenBucket.Limit) -> TokenBucket.Decision {
        let now = clock()
        return state.withLock { state in
            if state.buckets.count >= maximumKeys, state.buckets[key] == nil { Self.prune(&state, now: now, keep: maximumKeys / 2) }
            var bucket = state.buckets[key].flatMap { $0.limit == limit ? $0 : nil } ?? TokenBucket(limit: limit, now: now)
            let decision = bucket.take(now: now)
            state.buckets[key] = bucket
            return decision
        }
    }

    /// How many keys are tracked (for tests and metrics).
    public var trackedKeys: Int { state.withLock { $0.buckets.count } }

    private static func prune(_ state: inout State, now: Double, keep: Int) {
        state.buckets = state.buckets.filter { !$0.value.isFull(now: now) }
        if state.buckets.count > keep {
            // Still too many clients at once: drop arbitrary buckets, which only lets them start full.
            for key in state.buckets.keys.prefix(state.buckets.count - keep) { state.buckets[key] = nil }
        }
    }

    public static let monotonicSeconds: @Sendable () -> Double = {
        (ContinuousClock.now - RateLimiter.origin).seconds
    }

    private static let origin = ContinuousClock.now
}

/// How many requests, sessions or streams each key holds at once, with a bound per key: one client
/// that takes every slot gets 503 alone.
public final class ConcurrencyLimiter: Sendable {
    private let counts = Mutex([String: Int]())
    public let limitPerKey: Int

    public init(limitPerKey: Int) {
        self.limitPerKey = limitPerKey
    }

    /// Takes a slot for `key`; `false` when it already holds `limitPerKey`.
    public func acquire(_ key: String) -> Bool {
        counts.withLock { counts in
            let held = counts[key, default: 0]
            guard held < limitPerKey else { return false }
            counts[key] = held + 1
            return true
        }
    }

    public func release(_ key: String) {
        counts.withLock { counts in
            let held = counts[key, default: 0]
            counts[key] = held <= 1 ? nil : held - 1
        }
    }

    public func held(by key: String) -> Int { counts.withLock { $0[key, default: 0] } }
}
