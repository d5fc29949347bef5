import OrdinautCore
import Tracing

/// The OTLP/HTTP JSON encoding of an `ExportTraceServiceRequest` (opentelemetry-proto
/// `collector/trace/v1`): lowerCamelCase field names, trace and span ids as lowercase hex, 64-bit
/// integers as decimal strings, enums as their numbers.
public struct OTLPJSON: Sendable {
    /// `service.name` and the other resource attributes, as OTLP key-value pairs.
    let resource: JSONValue
    let scope: JSONValue

    public init(serviceName: String, resourceAttributes: [(key: String, value: String)], version: String) {
        var attributes: [JSONValue] = [Self.keyValue("service.name", Self.text(serviceName))]
        for (key, value) in resourceAttributes where key != "service.name" { attributes.append(Self.keyValue(key, Self.text(value))) }
        attributes.append(Self.keyValue("service.version", Self.text(version)))
        attributes.append(Self.keyValue("telemetry.sdk.name", Self.text("ordinaut")))
        attributes.append(Self.keyValue("telemetry.sdk.language", Self.text("swift")))
        resource = ["attributes": .array(attributes)]
        scope = ["name": "ordinaut", "version": .string(version)]
    }

    /// The request body for `spans`.
    public func encode(_ spans: [SpanRecord]) -> [UInt8] {
        let body: JSONValue = ["resourceSpans": [[
            "resource": resource,
            "scopeSpans": [["scope": scope, "spans": .array(spans.map(Self.span))]],
        ]]]
        return body.encoded()
    }

    static func span(_ span: SpanRecord) -> JSONValue {
        var json: JSONObject = [
            "traceId": .string(span.context.traceID.hex),
            "spanId": .string(span.context.spanID.hex),
            "name": .string(span.name),
            "kind": .integer(kind(span.kind)),
            "startTimeUnixNano": .string(String(span.startNanoseconds)),
            "endTimeUnixNano": .string(String(max(span.startNanoseconds, span.endNanoseconds))),
            "flags": .integer(Int64(span.context.flags)),
        ]
        if let parent = span.parentSpanID { json["parentSpanId"] = .string(parent.hex) }
        if let state = span.context.traceState { json["traceState"] = .string(state) }
        json["attributes"] = attributes(span.attributes)
        if !span.events.isEmpty {
            json["events"] = .array(span.events.map { event in
                ["timeUnixNano": .string(String(event.nanosecondsSinceEpoch)), "name": .string(event.name), "attributes": attributes(event.attributes)]
            })
        }
        if !span.links.isEmpty {
            json["links"] = .array(span.links.map { link in
                var linked: JSONObject = ["traceId": .string(link.context.traceID.hex), "spanId": .string(link.context.spanID.hex),
                                          "attributes": attributes(link.attributes)]
                if let state = link.context.traceState { linked["traceState"] = .string(state) }
                return .object(linked)
            })
        }
        if let status = span.status {
            var encoded: JSONObject = ["code": .integer(status.code == .ok ? 1 : 2)]
            if let message = status.message { encoded["message"] = .string(message) }
            json["status"] = .object(encoded)
        }
        return .object(json)
    }

    /// `SPAN_KIND_*` numbers of trace.proto.
    static func kind(_ kind: SpanKind) -> Int64 {
        switch kind {
        case .internal: return 1
        case .server: return 2
        case .client: return 3
        case .producer: return 4
        case .consumer: return 5
        }
    }

    static func attributes(_ attributes: SpanAttributes) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        attributes.forEach { key, value in pairs.append((key, anyValue(value))) }
        return .array(pairs.sorted { $0.0 < $1.0 }.map { keyValue($0.0, $0.1) })
    }

    /// A `KeyValue` whose `value` is an `AnyValue`.
    static func keyValue(_ key: String, _ value: JSONValue) -> JSONValue {
        ["key": .string(key), "value": value]
    }

    static func text(_ value: String) -> JSONValue { ["stringValue": .string(value)] }

    /// An `AnyValue`: `stringValue`, `boolValue`, `intValue` (a string), `doubleValue` or `arrayValue`.
    static func anyValue(_ attribute: SpanAttribute) -> JSONValue {
        switch attribute {
        case .int32(let value): return ["intValue": .string(String(value))]
        case .int64(let value): return ["intValue": .string(String(value))]
        case .double(let value): return ["doubleValue": .number(value)]
        case .bool(let value): return ["boolValue": .bool(value)]
        case .string(let value): return ["stringValue": .string(value)]
        case .int32Array(let values): return array(values.map { ["intValue": .string(String($0))] })
        case .int64Array(let values): return array(values.map { ["intValue": .string(String($0))] })
        case .doubleArray(let values): return array(values.map { ["doubleValue": .number($0)] })
        case .boolArray(let values): return array(values.map { ["boolValue": .bool($0)] })
        case .stringArray(let values): return array(values.map { ["stringValue": .string($0)] })
        case .stringConvertibleArray(let values): return array(values.map { ["stringValue": .string($0.description)] })
        case .stringConvertible(let value): return ["stringValue": .string(value.description)]
        default: return ["stringValue": .string(String(describing: attribute))]
        }
    }

    private static func array(_ values: [JSONValue]) -> JSONValue {
        ["arrayValue": ["values": .array(values)]]
    }
}
