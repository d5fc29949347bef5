/// Exponential backoff with "equal jitter": attempt *n* waits a random time in [d/2, d] where
/// d = min(cap, base · 2ⁿ⁻¹). With base 1 s and cap 60 s, attempt 1 waits 0.5–1 s, attempt 2 1–2 s,
/// attempt 3 2–4 s, and no attempt waits longer than the cap. Restarts of crashed extensions and
/// background tasks, Redis reconnects and task retries all use it.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// The longest wait of attempt `attempt` (1-based), before jitter.
    public func ceiling(attempt: Int) -> Duration {
        let exponent = min(max(attempt, 1) - 1, 62)
        let capNanos = Self.nanoseconds(cap)
        let grown = Self.nanoseconds(base).multipliedReportingOverflow(by: Int64(1) << exponent)
        return .nanoseconds(grown.overflow ? capNanos : min(grown.partialValue, capNanos))
    }

    /// A wait for attempt `attempt` (1-based), drawn from `generator`.
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = Self.nanoseconds(ceiling(attempt: attempt))
        guard ceiling > 1 else { return .nanoseconds(ceiling) }
        return .nanoseconds(Int64.random(in: (ceiling / 2)...ceiling, using: &generator))
    }

    public func delay(attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &generator)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
