import Synchronization
import Tracing

/// The one switch every instrumented spot reads first. While tracing is off (the default) a spot
/// costs one relaxed atomic load: no span, no task-local write, no allocation.
public enum Spans {
    @usableFromInline static let enabled = Atomic<Bool>(false)
    /// The sampler follows a parent's decision, so a span under a declined parent would record
    /// nothing: none is made.
    @usableFromInline static let followsParent = Atomic<Bool>(false)
    private static let installed = Mutex<OTLPTracer?>(nil)

    /// The tracer `install` made the process's, for a caller that keeps it (the HTTP server span).
    public static var tracer: OTLPTracer? { installed.withLock { $0 } }

    /// Whether tracing was installed in this process.
    @inlinable public static var areOn: Bool { enabled.load(ordering: .relaxed) }

    /// Makes `tracer` the process's tracer. Once per process (swift-distributed-tracing's rule).
    public static func install(_ tracer: OTLPTracer) {
        InstrumentationSystem.bootstrap(tracer)
        installed.withLock { $0 = tracer }
        if case .parentBased = tracer.sampler { followsParent.store(true, ordering: .relaxed) }
        enabled.store(true, ordering: .relaxed)
    }

    /// Runs `body` in a span named `name` when tracing is on (the span is the current context while
    /// it runs and ends when it returns; a thrown error marks it failed); otherwise runs `body` with `nil`.
    /// `parent` replaces the current context, e.g. with one taken from a request's `_meta`.
    /// Inlined, so that the check is all a caller pays while tracing is off. Under a parent the
    /// sampler declined, `body` runs with `nil` in that parent's context: a span there would record
    /// nothing, and the parent already carries the decision on.
    @inlinable
    public static func run<T, E: Error>(_ name: String, kind: SpanKind = .internal, parent: InstrumentationContext? = nil,
                                        isolation: isolated (any Actor)? = #isolation,
                                        _ body: ((any Span)?) async throws(E) -> T) async throws(E) -> T {
        guard areOn else { return try await body(nil) }
        guard followsParent.load(ordering: .relaxed), let declined = parent ?? InstrumentationContext.current,
              let decided = declined.spanContext, !decided.isSampled
        else { return try await traced(name, kind: kind, parent: parent, body) }
        guard let parent else { return try await body(nil) }
        let outcome: Result<T, E> = await InstrumentationContext.$current.withValue(parent) {
            do throws(E) {
                return .success(try await body(nil))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    @usableFromInline
    static func traced<T, E: Error>(_ name: String, kind: SpanKind, parent: InstrumentationContext?,
                                    isolation: isolated (any Actor)? = #isolation,
                                    _ body: ((any Span)?) async throws(E) -> T) async throws(E) -> T {
        let span: any Span = InstrumentationSystem.tracer.startSpan(name, context: parent ?? .current ?? .topLevel, ofKind: kind)
        defer { span.end() }
        let outcome: Result<T, E> = await InstrumentationContext.$current.withValue(span.context) {
            do throws(E) {
                return .success(try await body(span))
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = outcome {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
        }
        return try outcome.get()
    }

    /// The current context when tracing is on, for work that runs after the current scope ends (the
    /// body of a streamed response); `continuing(_:_:)` restores it there.
    public static func capture() -> InstrumentationContext? {
        areOn ? InstrumentationContext.current : nil
    }

    /// Runs `body` in `context` (from `capture()`), or as it is when there is none.
    public static func continuing<T>(_ context: InstrumentationContext?, isolation: isolated (any Actor)? = #isolation,
                                     _ body: () async -> T) async -> T {
        guard let context else { return await body() }
        return await InstrumentationContext.$current.withValue(context) { await body() }
    }

    /// The context of a span that starts a trace of its own, whatever the current context is.
    public static var newTrace: InstrumentationContext { .topLevel }

    /// The current span's identity, if any.
    public static var current: SpanContext? {
        guard areOn else { return nil }
        return InstrumentationContext.current?.spanContext
    }

    /// The context of a remote parent given as `traceparent`/`tracestate` (a header, `_meta`, a stored
    /// task), or `nil` when tracing is off or the value is not valid W3C Trace Context.
    public static func remote(traceparent: String?, tracestate: String? = nil) -> InstrumentationContext? {
        guard areOn, let traceparent, let parsed = SpanContext(traceparent: traceparent, traceState: tracestate) else { return nil }
        var context = InstrumentationContext.topLevel
        context.spanContext = parsed
        return context
    }

    /// `traceparent` (and `tracestate`) of the current span, to pass on to a webhook or a subprocess.
    public static var outgoing: [(name: String, value: String)] {
        guard let current else { return [] }
        var fields = [(name: "traceparent", value: current.traceparent)]
        if let state = current.traceState { fields.append((name: "tracestate", value: state)) }
        return fields
    }
}
