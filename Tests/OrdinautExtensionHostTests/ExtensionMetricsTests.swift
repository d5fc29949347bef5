import OrdinautExtensionKit
import Synchronization
import Testing

/// Records what the facet passes on, in the order it did.
private final class RecordingRegistry: MetricsRegistry {
    let lines = Mutex<[String]>([])

    private func add(_ line: String) { lines.withLock { $0.append(line) } }
    private func text(_ labels: [(String, String)]) -> String { labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") }

    func increment(_ family: MetricFamily, labels: [(String, String)], by amount: Double) { add("inc \(family.name){\(text(labels))} \(amount)") }
    func setTotal(_ family: MetricFamily, labels: [(String, String)], to total: Double) { add("total \(family.name){\(text(labels))} \(total)") }
    func set(_ family: MetricFamily, labels: [(String, String)], to value: Double) { add("set \(family.name){\(text(labels))} \(value)") }
    func observe(_ family: MetricFamily, labels: [(String, String)], _ value: Double) { add("observe \(family.name){\(text(labels))} \(value)") }
    func render() -> [UInt8] { Array(lines.withLock { $0.joined(separator: "\n") }.utf8) }
}

private final class Scrapes: Sendable {
    let count = Mutex(0)
}

@Suite struct ExtensionMetricsTests {
    private func facet(_ limits: HostMetrics.Limits = HostMetrics.Limits()) throws -> (ExtensionMetrics, RecordingRegistry) {
        let host = HostMetrics(limits: limits)
        let registry = RecordingRegistry()
        let metrics = ExtensionMetrics(extensionID: "billing", host: host)
        try metrics.install(registry)
        return (metrics, registry)
    }

    @Test func namesAreTheExtensionsAndLabelsKeepTheirFirstOrder() throws {
        let (metrics, registry) = try facet()
        try metrics.increment("invoices_total", help: "Invoices sent.", labels: ["currency": "EUR", "channel": "mail"])
        try metrics.increment("invoices_total", labels: ["channel": "web", "currency": "USD"], by: 2)
        try metrics.set("queue_depth", to: 7)
        try metrics.observe("send_seconds", buckets: [0.1, 1], 0.5)
        #expect(registry.lines.withLock { $0 } == [
            "inc ext_billing_invoices_total{channel=mail,currency=EUR} 1.0",
            "inc ext_billing_invoices_total{channel=web,currency=USD} 2.0",
            "set ext_billing_queue_depth{} 7.0",
            "observe ext_billing_send_seconds{} 0.5",
        ])
    }

    @Test func aNewLabelCombinationPastTheLimitIsRefusedAndOldOnesStillRecord() throws {
        let (metrics, registry) = try facet(HostMetrics.Limits(familiesPerExtension: 50, seriesPerFamily: 2))
        try metrics.increment("calls_total", labels: ["user": "a"])
        try metrics.increment("calls_total", labels: ["user": "b"])
        let error = #expect(throws: MetricsError.self) { try metrics.increment("calls_total", labels: ["user": "c"]) }
        #expect(error?.message.contains("ORDINAUT_EXT_METRIC_SERIES") == true)
        #expect(error?.message.contains("ext_billing_calls_total already has 2 label combinations") == true)
        try metrics.increment("calls_total", labels: ["user": "a"])
        #expect(registry.lines.withLock { $0.count } == 3)
    }

    @Test func familiesPastTheLimitAreRefused() throws {
        let (metrics, _) = try facet(HostMetrics.Limits(familiesPerExtension: 2, seriesPerFamily: 10))
        try metrics.set("one", to: 1)
        try metrics.set("two", to: 2)
        let error = #expect(throws: MetricsError.self) { try metrics.set("three", to: 3) }
        #expect(error?.message.contains("ORDINAUT_EXT_METRIC_FAMILIES") == true)
        try metrics.set("one", to: 5)
    }

    @Test func aFamilyKeepsItsKindAndLabelNames() throws {
        let (metrics, _) = try facet()
        try metrics.increment("jobs_total", labels: ["kind": "x"])
        #expect(throws: MetricsError.self) { try metrics.set("jobs_total", labels: ["kind": "x"], to: 1) }
        #expect(throws: MetricsError.self) { try metrics.increment("jobs_total", labels: ["queue": "x"]) }
        #expect(throws: MetricsError.self) { try metrics.increment("jobs_total") }
    }

    @Test func badNamesValuesAndBucketsAreRefused() throws {
        let (metrics, registry) = try facet()
        #expect(throws: MetricsError.self) { try metrics.increment("9lives") }
        #expect(throws: MetricsError.self) { try metrics.increment("has-dash") }
        #expect(throws: MetricsError.self) { try metrics.increment("ok_total", labels: ["le": "1"]) }
        #expect(throws: MetricsError.self) { try metrics.increment("ok_total", labels: ["__name": "1"]) }
        #expect(throws: MetricsError.self) { try metrics.increment("down_total", by: -1) }
        #expect(throws: MetricsError.self) { try metrics.observe("h", buckets: [2, 1], 1) }
        #expect(throws: MetricsError.self) { try metrics.observe("h2", .nan) }
        #expect(registry.lines.withLock { $0.isEmpty })
    }

    @Test func onlyOneRegistryAndNoneMeansNothingIsKept() throws {
        let host = HostMetrics()
        #expect(host.exposition() == nil)
        let quiet = ExtensionMetrics(extensionID: "a", host: host)
        try quiet.increment("early_total")
        try quiet.install(RecordingRegistry())
        let error = #expect(throws: MetricsError.self) { try ExtensionMetrics(extensionID: "b", host: host).install(RecordingRegistry()) }
        #expect(error?.message.contains("already has one") == true)
        #expect(host.exposition() == [])
    }

    @Test func collectorsRunBeforeEachScrape() throws {
        let host = HostMetrics()
        try ExtensionMetrics(extensionID: "observability", host: host).install(RecordingRegistry())
        let family = MetricFamily("ordinaut_x", help: "x", kind: .gauge)
        let scrapes = Scrapes()
        host.beforeScrape { metrics in metrics.set(family, to: Double(scrapes.count.withLock { $0 += 1; return $0 })) }
        _ = host.exposition()
        let text = String(decoding: host.exposition() ?? [], as: UTF8.self)
        #expect(text == "set ordinaut_x{} 1.0\nset ordinaut_x{} 2.0")
    }
}
