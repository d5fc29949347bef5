import OrdinautExtensionKit
import Prometheus
import Synchronization

/// The registry behind `/metrics`: swift-prometheus, which renders the text exposition format.
/// Families come from the host and the `ExtensionMetrics` facets, which keep each name's kind, help
/// and label names fixed, as swift-prometheus requires.
///
/// Counters and histograms are recorded on every request, so each series is made once and kept:
/// making it again builds a descriptor and looks the series up by its labels in swift-prometheus
/// (a dozen allocations a call). The number of series is the registry's own, bounded by the label
/// rules of every family.
final class PrometheusRegistry: MetricsRegistry {
    private let registry = PrometheusCollectorRegistry()
    private let counters = Mutex<[Series: Counter]>([:])
    private let histograms = Mutex<[Series: ValueHistogram]>([:])

    private func descriptor(_ family: MetricFamily) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: family.name, unitName: "", helpText: family.help)
    }

    func increment(_ family: MetricFamily, labels: [(String, String)], by amount: Double) {
        let series = Series(name: family.name, labels: labels)
        if let counter = counters.withLock({ $0[series] }) {
            counter.increment(by: amount)
            return
        }
        let counter = registry.makeCounter(descriptor: descriptor(family), labels: labels)
        counters.withLock { $0[series] = counter }
        counter.increment(by: amount)
    }

    func setTotal(_ family: MetricFamily, labels: [(String, String)], to total: Double) {
        let counter = registry.makeCounter(descriptor: descriptor(family), labels: labels)
        counter.reset()
        counter.increment(by: max(0, total))
    }

    func set(_ family: MetricFamily, labels: [(String, String)], to value: Double) {
        registry.makeGauge(descriptor: descriptor(family), labels: labels).set(to: value)
    }

    func observe(_ family: MetricFamily, labels: [(String, String)], _ value: Double) {
        guard case .histogram(let buckets) = family.kind else { return }
        let series = Series(name: family.name, labels: labels)
        if let histogram = histograms.withLock({ $0[series] }) {
            histogram.record(value)
            return
        }
        let histogram = registry.makeValueHistogram(descriptor: descriptor(family), labels: labels, buckets: buckets)
        histograms.withLock { $0[series] = histogram }
        histogram.record(value)
    }

    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// One series: a family's name and its label pairs, in the order given.
private struct Series: Hashable {
    let name: String
    let labels: [(String, String)]

    static func == (lhs: Series, rhs: Series) -> Bool {
        lhs.name == rhs.name && lhs.labels.elementsEqual(rhs.labels) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// The name's length and the label values. A family's label names are fixed, so hashing them
    /// would tell no two series apart, and the few families whose names are as long as another's are
    /// told apart by equality, which compares the names (the same string each time, so at once).
    /// Hashing every name in full cost a few hundred instructions on each of the six series an MCP
    /// request over HTTP updates.
    func hash(into hasher: inout Hasher) {
        hasher.combine(name.utf8.count)
        for (_, value) in labels { hasher.combine(value) }
    }
}
