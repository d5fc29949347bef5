import Tracing

/// The tracer behind `InstrumentationSystem` when tracing is on: W3C Trace Context in and out,
/// the configured sampler, and finished spans handed to the batch processor.
public struct OTLPTracer: Tracer {
    public typealias Span = RecordingSpan

    let sampler: Sampler
    let processor: BatchSpanProcessor
    let limits: TracingConfiguration.SpanLimits

    public init(sampler: Sampler, processor: BatchSpanProcessor, limits: TracingConfiguration.SpanLimits = .init()) {
        self.sampler = sampler
        self.processor = processor
        self.limits = limits
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> RecordingSpan {
        let (spanContext, sampled, parent) = decide(under: context())
        return RecordingSpan(name: operationName, context: spanContext, kind: kind, parentSpanID: parent?.spanID,
                             startNanoseconds: instant().nanosecondsSinceEpoch, limits: limits, sink: sampled ? processor : nil)
    }

    /// What starting a span under `context` comes to: the context for the work under it, and a
    /// recording span only when the sampler keeps it. A caller that would only fill a declined span
    /// (the HTTP server span, on every request) skips making one.
    public func start(_ operationName: @autoclosure () -> String, under context: InstrumentationContext, ofKind kind: SpanKind) -> Start {
        let (spanContext, sampled, parent) = decide(under: context)
        guard sampled else { return .declined(spanContext) }
        return .recording(RecordingSpan(name: operationName(), context: spanContext, kind: kind, parentSpanID: parent?.spanID,
                                        startNanoseconds: DefaultTracerClock.now.nanosecondsSinceEpoch, limits: limits, sink: processor))
    }

    /// See `start(_:under:ofKind:)`.
    public enum Start {
        /// The sampler declined: the work runs in this context, which carries the decision on.
        case declined(InstrumentationContext)
        case recording(RecordingSpan)
    }

    /// The new span's context (its trace and a new span id, flagged sampled or not) and its parent.
    private func decide(under context: InstrumentationContext) -> (InstrumentationContext, Bool, SpanContext?) {
        var spanContext = context
        let parent = spanContext.spanContext
        let traceID = parent?.traceID ?? .random()
        let sampled = sampler.shouldSample(traceID: traceID, parent: parent)
        spanContext.spanContext = SpanContext(traceID: traceID, spanID: .random(), flags: sampled ? 1 : 0, traceState: parent?.traceState)
        return (spanContext, sampled, parent)
    }

    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let parent = extractor.extract(key: "traceparent", from: carrier) else { return }
        if let remote = SpanContext(traceparent: parent, traceState: extractor.extract(key: "tracestate", from: carrier)) {
            context.spanContext = remote
        }
    }

    public func inject<Carrier, Inject: Injector>(_ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let spanContext = context.spanContext else { return }
        injector.inject(spanContext.traceparent, forKey: "traceparent", into: &carrier)
        if let state = spanContext.traceState { injector.inject(state, forKey: "tracestate", into: &carrier) }
    }
}
