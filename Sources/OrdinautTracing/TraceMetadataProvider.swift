import Logging
import Tracing

extension Logger.MetadataProvider {
    /// `trace_id` and `span_id` of the current span on every log line written inside it.
    public static let traceIDs = Logger.MetadataProvider {
        guard let span = Spans.current else { return [:] }
        return ["trace_id": .string(span.traceID.hex), "span_id": .string(span.spanID.hex)]
    }
}
