import Tracing

/// A finished, sampled span as the exporter sends it.
public struct SpanRecord: Sendable {
    /// A span link: the linked span's identity and why it is linked.
    public struct Link: Sendable {
        public let context: SpanContext
        public let attributes: SpanAttributes
    }

    public let context: SpanContext
    public let parentSpanID: SpanID?
    public let name: String
    public let kind: SpanKind
    public let startNanoseconds: UInt64
    public let endNanoseconds: UInt64
    public let attributes: SpanAttributes
    public let events: [SpanEvent]
    public let links: [Link]
    public let status: SpanStatus?
}
