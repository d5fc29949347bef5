/// How long a failed attempt waits before the next (`backoff_strategy`).
public enum BackoffStrategy: String, Sendable, CaseIterable {
    /// base · 2ⁿ⁻¹ capped, drawn from its upper half (the default).
    case exponentialJitter = "exponential_jitter"
    /// base · 2ⁿ⁻¹ capped, exactly.
    case exponential
    /// base · n capped.
    case linear
    /// base every time.
    case fixed
}
