import OrdinautCore
import Synchronization

/// The host's metrics: one per engine, shared by the host's components and every extension's
/// `ExtensionMetrics` facet. Values go to the registry the `observability` extension installs; with
/// none installed (the extension disabled), recording costs one lock and stores nothing.
public final class HostMetrics: Sendable {
    /// Bounds on what extensions may define, so that one extension cannot grow `/metrics` without limit.
    public struct Limits: Sendable, Equatable {
        /// Metric families one extension may define (`ORDINAUT_EXT_METRIC_FAMILIES`).
        public var familiesPerExtension: Int
        /// Label combinations one extension family may have (`ORDINAUT_EXT_METRIC_SERIES`).
        public var seriesPerFamily: Int

        public init(familiesPerExtension: Int = 50, seriesPerFamily: Int = 100) {
            self.familiesPerExtension = familiesPerExtension
            self.seriesPerFamily = seriesPerFamily
        }
    }

    /// An extension's family: its declared shape and the label combinations seen so far.
    private struct Defined {
        var family: MetricFamily
        var labelNames: [String]
        var series: Set<[String]>
    }

    public let limits: Limits
    private let registry = Mutex<(any MetricsRegistry)?>(nil)
    private let collectors = Mutex<[@Sendable (HostMetrics) -> Void]>([])
    private let defined = Mutex<[String: [String: Defined]]>([:])
    private let scrape = Mutex(())

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether a registry is installed (values are kept).
    public var isRecording: Bool { registry.withLock { $0 != nil } }

    /// Installs the registry values go to; only one, once.
    public func install(_ newRegistry: any MetricsRegistry, by extensionID: String) throws(MetricsError) {
        let installed = registry.withLock { current -> Bool in
            guard current == nil else { return false }
            current = newRegistry
            return true
        }
        if !installed {
            throw MetricsError("extension \"\(extensionID)\" cannot install a metrics registry: the host already has one (only one extension, normally observability, serves /metrics)")
        }
    }

    // The labels are an autoclosure: with no registry installed (the stdio transport serves no
    // routes, so `observability` is not active there), an MCP request built and freed four label
    // arrays for nothing.

    public func increment(_ family: MetricFamily, _ labels: @autoclosure () -> [(String, String)] = [], by amount: Double = 1) {
        registry.withLock { $0 }?.increment(family, labels: labels(), by: amount)
    }

    public func setTotal(_ family: MetricFamily, _ labels: @autoclosure () -> [(String, String)] = [], to total: Double) {
        registry.withLock { $0 }?.setTotal(family, labels: labels(), to: total)
    }

    public func set(_ family: MetricFamily, _ labels: @autoclosure () -> [(String, String)] = [], to value: Double) {
        registry.withLock { $0 }?.set(family, labels: labels(), to: value)
    }

    public func observe(_ family: MetricFamily, _ labels: @autoclosure () -> [(String, String)] = [], _ value: Double) {
        registry.withLock { $0 }?.observe(family, labels: labels(), value)
    }

    public func observe(_ family: MetricFamily, _ labels: @autoclosure () -> [(String, String)] = [], _ duration: Duration) {
        registry.withLock { $0 }?.observe(family, labels: labels(), duration.seconds)
    }

    /// Adds work run before each scrape, to bring gauges and totals read from elsewhere up to date.
    public func beforeScrape(_ collector: @escaping @Sendable (HostMetrics) -> Void) {
        collectors.withLock { $0.append(collector) }
    }

    /// Every metric in the Prometheus text format, or `nil` when no registry is installed.
    public func exposition() -> [UInt8]? {
        guard let current = registry.withLock({ $0 }) else { return nil }
        // One scrape at a time: totals that are reset and set again are never seen in between.
        return scrape.withLock { _ in
            for collect in collectors.withLock({ $0 }) { collect(self) }
            return current.render()
        }
    }

    /// Checks an extension's metric against its earlier uses and the limits, and returns the family
    /// and labels to record (the labels in the order the family was first used with).
    func checked(extensionID: String, name: String, help: String, kind: MetricFamily.Kind,
                 labels: [String: String]) throws(MetricsError) -> (MetricFamily, [(String, String)]) {
        let full = "ext_\(extensionID)_\(name)"
        guard MetricFamily.isValidName(name), name.utf8.count <= 100 else {
            throw MetricsError("extension \"\(extensionID)\": metric name \"\(name)\" must be 1 to 100 letters, digits and \"_\", not starting with a digit")
        }
        for key in labels.keys where !MetricFamily.isValidName(key) || key.hasPrefix("__") || key == "le" || key.utf8.count > 100 {
            throw MetricsError("extension \"\(extensionID)\": label name \"\(key)\" of \(full) is not allowed; use letters, digits and \"_\" (not \"le\", not starting with \"__\")")
        }
        for value in labels.values where value.utf8.count > 200 {
            throw MetricsError("extension \"\(extensionID)\": a label value of \(full) is longer than 200 bytes")
        }
        let limits = self.limits
        return try defined.withLock { all throws(MetricsError) -> (MetricFamily, [(String, String)]) in
            var families = all[extensionID] ?? [:]
            var entry: Defined
            if let existing = families[full] {
                entry = existing
                guard entry.family.kind == kind else {
                    throw MetricsError("extension \"\(extensionID)\": \(full) was first used as a \(Self.kindName(entry.family.kind)) and cannot also be a \(Self.kindName(kind))")
                }
                guard Set(labels.keys) == Set(entry.labelNames) else {
                    throw MetricsError("extension \"\(extensionID)\": \(full) has labels [\(entry.labelNames.joined(separator: ", "))]; every use must give exactly those")
                }
            } else {
                guard families.count < limits.familiesPerExtension else {
                    throw MetricsError("extension \"\(extensionID)\" defines more than \(limits.familiesPerExtension) metric families; \(full) is refused (raise ORDINAUT_EXT_METRIC_FAMILIES)")
                }
                if case .histogram(let buckets) = kind, buckets.isEmpty || buckets.count > 50 || zip(buckets, buckets.dropFirst()).contains(where: { $0 >= $1 }) || buckets.contains(where: { !$0.isFinite }) {
                    throw MetricsError("extension \"\(extensionID)\": the buckets of \(full) must be 1 to 50 finite numbers in increasing order")
                }
                entry = Defined(family: MetricFamily(full, help: help.isEmpty ? "\(full) (extension \(extensionID))" : help, kind: kind),
                                labelNames: labels.keys.sorted(), series: [])
            }
            let values = entry.labelNames.map { labels[$0]! }
            if !entry.series.contains(values) {
                guard entry.series.count < limits.seriesPerFamily else {
                    throw MetricsError("extension \"\(extensionID)\": \(full) already has \(limits.seriesPerFamily) label combinations; a new one is refused (use fewer label values, or raise ORDINAUT_EXT_METRIC_SERIES)")
                }
                entry.series.insert(values)
            }
            families[full] = entry
            all[extensionID] = families
            return (entry.family, Array(zip(entry.labelNames, values)))
        }
    }

    private static func kindName(_ kind: MetricFamily.Kind) -> String {
        switch kind {
        case .counter: return "counter"
        case .gauge: return "gauge"
        case .histogram: return "histogram"
        }
    }
}
