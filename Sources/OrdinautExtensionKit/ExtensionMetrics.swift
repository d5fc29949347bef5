/// An extension's own metrics, named `ext_<id>_<name>` in `/metrics`. Every extension has this
/// facet; no capability is needed, since metrics only leave the process through the host's
/// `/metrics`. Each family keeps the kind and label names of its first use; an extension may define
/// `HostMetrics.Limits.familiesPerExtension` families of at most `seriesPerFamily` label
/// combinations each. A use past a limit throws `MetricsError` and records nothing.
public struct ExtensionMetrics: Sendable {
    public let extensionID: String
    private let host: HostMetrics?

    public init(extensionID: String, host: HostMetrics?) {
        self.extensionID = extensionID
        self.host = host
    }

    /// Adds `amount` (default 1, never negative) to counter `ext_<id>_<name>`; end `name` in `_total`.
    public func increment(_ name: String, help: String = "", labels: [String: String] = [:], by amount: Double = 1) throws(MetricsError) {
        guard amount >= 0, amount.isFinite else {
            throw MetricsError("extension \"\(extensionID)\": counter \(name) can only grow; \(amount) is not a finite amount ≥ 0")
        }
        guard let host else { return }
        let (family, pairs) = try host.checked(extensionID: extensionID, name: name, help: help, kind: .counter, labels: labels)
        host.increment(family, pairs, by: amount)
    }

    /// Sets gauge `ext_<id>_<name>` to `value`.
    public func set(_ name: String, help: String = "", labels: [String: String] = [:], to value: Double) throws(MetricsError) {
        guard let host else { return }
        let (family, pairs) = try host.checked(extensionID: extensionID, name: name, help: help, kind: .gauge, labels: labels)
        host.set(family, pairs, to: value)
    }

    /// Records `value` in histogram `ext_<id>_<name>`, whose bucket upper bounds are `buckets`.
    public func observe(_ name: String, help: String = "", buckets: [Double] = MetricFamily.latencyBuckets, labels: [String: String] = [:],
                        _ value: Double) throws(MetricsError) {
        guard value.isFinite else { throw MetricsError("extension \"\(extensionID)\": histogram \(name) records finite values only") }
        guard let host else { return }
        let (family, pairs) = try host.checked(extensionID: extensionID, name: name, help: help, kind: .histogram(buckets: buckets), labels: labels)
        host.observe(family, pairs, value)
    }

    /// Makes `registry` the store behind `/metrics` for the host and every extension (the
    /// `observability` extension does this); refused when one is installed already.
    public func install(_ registry: any MetricsRegistry) throws(MetricsError) {
        guard let host else { throw MetricsError("extension \"\(extensionID)\" cannot install a metrics registry: this host keeps no metrics") }
        try host.install(registry, by: extensionID)
    }

    /// Every metric in the Prometheus text format; `nil` when no registry is installed.
    public func exposition() -> [UInt8]? {
        host?.exposition()
    }
}
