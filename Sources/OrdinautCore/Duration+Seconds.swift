extension Duration {
    /// The duration in seconds, with its fraction: for metrics, rates and arithmetic with `Date`.
    public var seconds: Double {
        // `components` divides a 128-bit count each time it is read: read it once.
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
