import OrdinautExtensionKit
import Prometheus

/// The registry behind `/metrics`: swift-prometheus, which renders the text exposition format.
/// Families come from the host and the `ExtensionMetrics` facets, which keep each name's kind, help
/// and label names fixed, as swift-prometheus requires.
final class PrometheusRegistry: MetricsRegistry {
    private let registry = PrometheusCollectorRegistry()

    private func descriptor(_ family: MetricFamily) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: family.name, unitName: "", helpText: family.help)
    }

    func increment(_ family: MetricFamily, labels: [(String, String)], by amount: Double) {
        registry.makeCounter(descriptor: descriptor(family), labels: labels).increment(by: amount)
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
        registry.makeValueHistogram(descriptor: descriptor(family), labels: labels, buckets: buckets).record(value)
    }

    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
