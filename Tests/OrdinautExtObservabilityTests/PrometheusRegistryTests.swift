@testable import OrdinautExtObservability
import OrdinautExtensionKit
import Testing

/// The registry keeps one series per family and label values, whatever their digest.
@Suite("Prometheus registry")
struct PrometheusRegistryTests {
    static let requests = MetricFamily("t_requests_total", help: "Requests.", kind: .counter)
    static let calls = MetricFamily("t_calls_total", help: "Calls.", kind: .counter)
    static let latency = MetricFamily("t_latency_seconds", help: "Latency.", kind: .histogram(buckets: [0.1, 1]))

    func text(_ registry: PrometheusRegistry) -> String {
        String(decoding: registry.render(), as: UTF8.self)
    }

    @Test func seriesAreKeptApartByFamilyAndValues() {
        let registry = PrometheusRegistry()
        for _ in 0..<3 { registry.increment(Self.requests, labels: [("method", "tools/call"), ("outcome", "ok")], by: 1) }
        registry.increment(Self.requests, labels: [("method", "tools/call"), ("outcome", "error")], by: 1)
        // The same values in another family, and values whose bytes run together the same way.
        registry.increment(Self.calls, labels: [("method", "tools/call"), ("outcome", "ok")], by: 5)
        registry.increment(Self.calls, labels: [("method", "tools/cal"), ("outcome", "lok")], by: 7)
        let text = text(registry)
        #expect(text.contains(#"t_requests_total{method="tools/call",outcome="ok"} 3"#))
        #expect(text.contains(#"t_requests_total{method="tools/call",outcome="error"} 1"#))
        #expect(text.contains(#"t_calls_total{method="tools/call",outcome="ok"} 5"#))
        #expect(text.contains(#"t_calls_total{method="tools/cal",outcome="lok"} 7"#))
    }

    @Test func histogramsAccumulatePerSeries() {
        let registry = PrometheusRegistry()
        registry.observe(Self.latency, labels: [("route", "/mcp")], 0.05)
        registry.observe(Self.latency, labels: [("route", "/mcp")], 0.5)
        registry.observe(Self.latency, labels: [("route", "/rest")], 2)
        let text = text(registry)
        #expect(text.contains(#"t_latency_seconds_count{route="/mcp"} 2"#))
        #expect(text.contains(#"t_latency_seconds_count{route="/rest"} 1"#))
        #expect(text.contains(#"t_latency_seconds_bucket{route="/mcp",le="0.1"} 1"#))
    }
}
