/// A token bucket: `capacity` tokens, refilled at `rate` tokens a second. A pure value: the caller
/// passes the time, so it is tested without a clock.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens a second and the most that can be saved up (the burst).
    public struct Limit: Sendable, Equatable {
        public let rate: Double
        public let burst: Double

        public init(rate: Double, burst: Double) {
            self.rate = rate
            self.burst = max(1, burst)
        }

        /// The `RateLimit-Policy` form: `q` requests per `w`-second window.
        public var policyWindow: (quota: Int, seconds: Int) {
            (Int(burst), max(1, Int((burst / rate).rounded(.up))))
        }
    }

    /// What taking a token decided.
    public enum Decision: Sendable, Equatable {
        /// Allowed; `remaining` whole tokens are left.
        case allowed(remaining: Int)
        /// Refused; a token is available again after `retryAfter` seconds (at least 1).
        case limited(retryAfter: Int)
    }

    public let limit: Limit
    private var tokens: Double
    private var updated: Double

    public init(limit: Limit, now: Double) {
        self.limit = limit
        tokens = limit.burst
        updated = now
    }

    /// Takes one token at time `now` (seconds, monotonic).
    public mutating func take(now: Double) -> Decision {
        if now > updated {
            tokens = min(limit.burst, tokens + (now - updated) * limit.rate)
            updated = now
        }
        guard tokens >= 1 else {
            let wait = (1 - tokens) / limit.rate
            return .limited(retryAfter: max(1, Int(wait.rounded(.up))))
        }
        tokens -= 1
        return .allowed(remaining: Int(tokens))
    }

    /// Whether the bucket is full again, so that forgetting it changes nothing.
    public func isFull(now: Double) -> Bool {
        tokens + (now - updated) * limit.rate >= limit.burst
    }
}
