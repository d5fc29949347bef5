import Tracing
@testable import OrdinautTracing

/// A finished span with a recognisable name.
func finishedSpan(_ name: String, parent: SpanID? = nil, links: [SpanRecord.Link] = []) -> SpanRecord {
    SpanRecord(context: SpanContext(traceID: TraceID(high: 0x0102, low: 0x0304), spanID: SpanID(0xabc), flags: 1),
               parentSpanID: parent, name: name, kind: .client, startNanoseconds: 1_700_000_000_000_000_000,
               endNanoseconds: 1_700_000_000_500_000_000, attributes: ["http.response.status_code": 200, "url.path": "/mcp"],
               events: [], links: links, status: SpanStatus(code: .error, message: "boom"))
}
