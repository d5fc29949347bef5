import Synchronization
import Tracing

/// A span of `OTLPTracer`. A span the sampler declined carries its context (so that the decision
/// travels on) and records nothing.
public final class RecordingSpan: Span {
    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanEvent] = []
        var links: [SpanRecord.Link] = []
        var status: SpanStatus?
        var ended = false
    }

    public let context: InstrumentationContext
    public let isRecording: Bool
    private let kind: SpanKind
    private let parentSpanID: SpanID?
    private let startNanoseconds: UInt64
    private let state: Mutex<State>
    private let sink: (any SpanSink)?
    private let limits: TracingConfiguration.SpanLimits

    init(name: String, context: InstrumentationContext, kind: SpanKind, parentSpanID: SpanID?, startNanoseconds: UInt64,
         limits: TracingConfiguration.SpanLimits, sink: (any SpanSink)?) {
        self.context = context
        self.limits = limits
        self.kind = kind
        self.parentSpanID = parentSpanID
        self.startNanoseconds = startNanoseconds
        self.sink = sink
        isRecording = sink != nil
        state = Mutex(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { if isRecording { state.withLock { $0.name = newValue } } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { if isRecording { state.withLock { $0.attributes = newValue } } }
    }

    public func setStatus(_ status: SpanStatus) {
        guard isRecording else { return }
        state.withLock { state in
            // An OK status is final; an error does not override it (OpenTelemetry's rule).
            if state.status?.code != .ok { state.status = status }
        }
    }

    public func addEvent(_ event: SpanEvent) {
        guard isRecording else { return }
        state.withLock { state in
            if state.events.count < limits.events { state.events.append(event) }
        }
    }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        guard isRecording else { return }
        var eventAttributes = attributes
        eventAttributes["exception.type"] = String(describing: type(of: error))
        eventAttributes["exception.message"] = String(describing: error)
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
    }

    public func addLink(_ link: SpanLink) {
        guard isRecording, let linked = link.context.spanContext else { return }
        state.withLock { state in
            if state.links.count < limits.links { state.links.append(SpanRecord.Link(context: linked, attributes: link.attributes)) }
        }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let sink, let spanContext = context.spanContext else { return }
        let finished: State? = state.withLock { state in
            if state.ended { return nil }
            state.ended = true
            return state
        }
        guard let finished else { return }
        sink.finished(SpanRecord(
            context: spanContext, parentSpanID: parentSpanID, name: finished.name, kind: kind, startNanoseconds: startNanoseconds,
            endNanoseconds: instant().nanosecondsSinceEpoch, attributes: finished.attributes, events: finished.events,
            links: finished.links, status: finished.status))
    }
}

/// Where finished spans go: the batch processor.
protocol SpanSink: Sendable {
    func finished(_ span: SpanRecord)
}
