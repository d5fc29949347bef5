import Foundation

/// Tracing as the standard OpenTelemetry environment variables configure it. Off unless an OTLP
/// endpoint is given; `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` keep it off anyway.
public struct TracingConfiguration: Sendable {
    /// Where spans are posted: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, else
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. `nil`: tracing is off.
    public var endpoint: String?
    /// `OTEL_EXPORTER_OTLP_HEADERS` (and `…_TRACES_HEADERS`): `name=value` pairs, comma-separated, percent-decoded.
    public var headers: [(name: String, value: String)] = []
    public var sampler: Sampler = .parentBased(root: .alwaysOn)
    /// `OTEL_SERVICE_NAME`, else `service.name` of the resource attributes, else `ordinaut`.
    public var serviceName = "ordinaut"
    /// `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs.
    public var resourceAttributes: [(key: String, value: String)] = []
    public var batch = BatchLimits()

    public init() {}

    public var isEnabled: Bool { endpoint != nil }

    /// Limits of the batch span processor, with the OpenTelemetry SDK defaults.
    public struct BatchLimits: Sendable, Equatable {
        /// Finished spans waiting for export (`OTEL_BSP_MAX_QUEUE_SIZE`); more are dropped and counted.
        public var maxQueueSize = 2048
        /// Spans in one export request (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`).
        public var maxExportBatchSize = 512
        /// The pause between exports (`OTEL_BSP_SCHEDULE_DELAY`, milliseconds).
        public var scheduleDelay = Duration.milliseconds(5000)
        /// How long one export may take (`OTEL_BSP_EXPORT_TIMEOUT`, milliseconds).
        public var exportTimeout = Duration.milliseconds(30000)

        public init() {}
    }

    /// What one span keeps at most; more are dropped (`OTEL_SPAN_EVENT_COUNT_LIMIT`, `OTEL_SPAN_LINK_COUNT_LIMIT`).
    public struct SpanLimits: Sendable, Equatable {
        public var events = 128
        public var links = 128

        public init() {}
    }

    public var spanLimits = SpanLimits()

    /// Reads the `OTEL_*` variables. Only the `http/json` protocol is built in: asking for another
    /// stops the start with an error instead of sending what the collector cannot read.
    public init(environment: [String: String]) throws(TracingConfigurationError) {
        if let disabled = environment["OTEL_SDK_DISABLED"], disabled.lowercased() == "true" { return }
        switch environment["OTEL_TRACES_EXPORTER"]?.lowercased() {
        case nil, "otlp", "": break
        case "none": return
        case let other?:
            throw TracingConfigurationError("OTEL_TRACES_EXPORTER=\(other) is not supported; use otlp (with OTEL_EXPORTER_OTLP_ENDPOINT) or none")
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let value = environment[name] else { continue }
            guard value == "http/json" else {
                throw TracingConfigurationError("\(name)=\(value): this build exports OTLP over HTTP with JSON only; set it to http/json "
                                                + "(collectors accept it on port 4318)")
            }
            break
        }
        if let traces = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], !traces.isEmpty {
            endpoint = try Self.url(traces, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        } else if let base = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !base.isEmpty {
            let url = try Self.url(base, "OTEL_EXPORTER_OTLP_ENDPOINT")
            endpoint = (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/v1/traces"
        }
        headers = try Self.pairs(environment["OTEL_EXPORTER_OTLP_HEADERS"], "OTEL_EXPORTER_OTLP_HEADERS")
            + Self.pairs(environment["OTEL_EXPORTER_OTLP_TRACES_HEADERS"], "OTEL_EXPORTER_OTLP_TRACES_HEADERS")
        resourceAttributes = try Self.pairs(environment["OTEL_RESOURCE_ATTRIBUTES"], "OTEL_RESOURCE_ATTRIBUTES").map { ($0.name, $0.value) }
        if let name = resourceAttributes.last(where: { $0.key == "service.name" })?.value { serviceName = name }
        if let name = environment["OTEL_SERVICE_NAME"], !name.isEmpty { serviceName = name }
        sampler = try Sampler.named(environment["OTEL_TRACES_SAMPLER"], argument: environment["OTEL_TRACES_SAMPLER_ARG"])
        batch.maxQueueSize = try Self.count(environment["OTEL_BSP_MAX_QUEUE_SIZE"], "OTEL_BSP_MAX_QUEUE_SIZE") ?? batch.maxQueueSize
        batch.maxExportBatchSize = try Self.count(environment["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"], "OTEL_BSP_MAX_EXPORT_BATCH_SIZE")
            ?? batch.maxExportBatchSize
        guard batch.maxExportBatchSize <= batch.maxQueueSize else {
            throw TracingConfigurationError("OTEL_BSP_MAX_EXPORT_BATCH_SIZE (\(batch.maxExportBatchSize)) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (\(batch.maxQueueSize))")
        }
        if let delay = try Self.count(environment["OTEL_BSP_SCHEDULE_DELAY"], "OTEL_BSP_SCHEDULE_DELAY") { batch.scheduleDelay = .milliseconds(delay) }
        if let timeout = try Self.count(environment["OTEL_BSP_EXPORT_TIMEOUT"], "OTEL_BSP_EXPORT_TIMEOUT") { batch.exportTimeout = .milliseconds(timeout) }
        spanLimits.events = try Self.count(environment["OTEL_SPAN_EVENT_COUNT_LIMIT"], "OTEL_SPAN_EVENT_COUNT_LIMIT") ?? spanLimits.events
        spanLimits.links = try Self.count(environment["OTEL_SPAN_LINK_COUNT_LIMIT"], "OTEL_SPAN_LINK_COUNT_LIMIT") ?? spanLimits.links
    }

    private static func url(_ value: String, _ name: String) throws(TracingConfigurationError) -> String {
        guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
            throw TracingConfigurationError("\(name)=\(value): give an http:// or https:// URL, e.g. http://127.0.0.1:4318")
        }
        return value
    }

    private static func count(_ value: String?, _ name: String) throws(TracingConfigurationError) -> Int? {
        guard let value else { return nil }
        guard let number = Int(value), (1...1_000_000).contains(number) else {
            throw TracingConfigurationError("\(name)=\(value): give a whole number from 1 to 1000000")
        }
        return number
    }

    /// `k1=v1,k2=v2` with percent-encoded values, as the OpenTelemetry specification writes headers and resources.
    static func pairs(_ value: String?, _ name: String) throws(TracingConfigurationError) -> [(name: String, value: String)] {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        var result: [(name: String, value: String)] = []
        for item in value.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            let key = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard parts.count == 2, !key.isEmpty,
                  let decoded = parts[1].trimmingCharacters(in: .whitespaces).removingPercentEncoding else {
                throw TracingConfigurationError("\(name): \"\(item)\" is not key=value (values are percent-encoded; pairs are separated by commas)")
            }
            result.append((key, decoded))
        }
        return result
    }
}
