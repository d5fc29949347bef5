import Logging
import Synchronization
import Testing
import Tracing
@testable import OrdinautTracing

@Suite struct OTLPTracerTests {
    struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    final class Sink: Sendable {
        let processor: BatchSpanProcessor
        init() {
            processor = BatchSpanProcessor(limits: .init(), encoder: OTLPJSON(serviceName: "t", resourceAttributes: [], version: "1"),
                                           logger: Logger(label: "t")) { _, _ in nil }
        }
    }

    @Test func aChildContinuesItsRemoteParentsTraceAndInjectsItself() throws {
        let tracer = OTLPTracer(sampler: .parentBased(root: .alwaysOff), processor: Sink().processor)
        var context = InstrumentationContext.topLevel
        tracer.extract(["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "v=1"],
                       into: &context, using: DictionaryExtractor())
        let span = tracer.startSpan("child", context: context, ofKind: .server, at: DefaultTracerClock.now, function: "", file: "", line: 0)
        #expect(span.isRecording, "the remote parent was sampled")
        let own = try #require(span.context.spanContext)
        #expect(own.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(own.spanID.hex != "00f067aa0ba902b7")
        var headers: [String: String] = [:]
        tracer.inject(span.context, into: &headers, using: DictionaryInjector())
        #expect(headers["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(own.spanID.hex)-01")
        #expect(headers["tracestate"] == "v=1")
    }

    @Test func anInvalidTraceparentStartsANewTrace() throws {
        let tracer = OTLPTracer(sampler: .alwaysOn, processor: Sink().processor)
        var context = InstrumentationContext.topLevel
        tracer.extract(["traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01"], into: &context, using: DictionaryExtractor())
        #expect(context.spanContext == nil)
    }

    @Test func anUnsampledSpanRecordsNothingButPassesItsDecisionOn() throws {
        let sink = Sink()
        let tracer = OTLPTracer(sampler: .alwaysOff, processor: sink.processor)
        let span = tracer.startSpan("off", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now, function: "", file: "", line: 0)
        span.attributes["x"] = 1
        span.end()
        #expect(!span.isRecording)
        #expect(span.attributes.isEmpty)
        #expect(try #require(span.context.spanContext).traceparent.hasSuffix("-00"))
    }
}
