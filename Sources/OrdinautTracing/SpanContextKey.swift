import Tracing

/// Where a span's identity lives in an `InstrumentationContext` (the task-local context of
/// swift-distributed-tracing).
enum SpanContextKey: InstrumentationContextKey {
    typealias Value = SpanContext
    static var nameOverride: String? { "ordinaut-span-context" }
}

extension InstrumentationContext {
    /// The span this context belongs to, ours or a remote parent's.
    public var spanContext: SpanContext? {
        get { self[SpanContextKey.self] }
        set { self[SpanContextKey.self] = newValue }
    }
}
