import Logging
import OrdinautCore
import Synchronization
import Testing
@testable import OrdinautTracing

@Suite struct BatchSpanProcessorTests {
    final class Collector: Sendable {
        let bodies = Mutex<[[UInt8]]>([])
        var spanNames: [String] {
            bodies.withLock { $0 }.flatMap { body -> [String] in
                let json = try? JSONParser().parse(body)
                return json?["resourceSpans"]?.arrayValue?.first?["scopeSpans"]?.arrayValue?.first?["spans"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            }
        }
    }

    static func processor(queue: Int, batch: Int, delay: Duration, collector: Collector) -> BatchSpanProcessor {
        var limits = TracingConfiguration.BatchLimits()
        limits.maxQueueSize = queue
        limits.maxExportBatchSize = batch
        limits.scheduleDelay = delay
        return BatchSpanProcessor(limits: limits, encoder: OTLPJSON(serviceName: "test", resourceAttributes: [], version: "1"),
                                  logger: Logger(label: "test")) { body, _ in
            collector.bodies.withLock { $0.append(body) }
            return nil
        }
    }

    @Test func stoppingExportsEverythingStillQueuedInBatches() async throws {
        let collector = Collector()
        let processor = Self.processor(queue: 10, batch: 4, delay: .seconds(3600), collector: collector)
        let running = Task { try await processor.run() }
        for index in 0..<7 { processor.finished(finishedSpan("s\(index)")) }
        running.cancel()
        try await running.value
        #expect(collector.spanNames.sorted() == (0..<7).map { "s\($0)" }.sorted())
        #expect(collector.bodies.withLock { $0.count } >= 2, "no request carries more than the batch size")
        #expect(processor.counts.exported == 7)
    }

    @Test func aFullBatchIsSentWithoutWaitingForTheScheduleDelay() async throws {
        let collector = Collector()
        let processor = Self.processor(queue: 10, batch: 2, delay: .seconds(3600), collector: collector)
        let running = Task { try await processor.run() }
        processor.finished(finishedSpan("a"))
        processor.finished(finishedSpan("b"))
        var waited = 0
        while collector.spanNames.count < 2 && waited < 1000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(collector.spanNames == ["a", "b"], "an hour's delay did not hold back a full batch")
        running.cancel()
        try await running.value
    }

    @Test func spansBeyondTheQueueAreDroppedAndCounted() async throws {
        let collector = Collector()
        let processor = Self.processor(queue: 3, batch: 3, delay: .seconds(3600), collector: collector)
        // Not running yet: nothing drains the queue.
        for index in 0..<5 { processor.finished(finishedSpan("s\(index)")) }
        let running = Task { try await processor.run() }
        running.cancel()
        try await running.value
        #expect(collector.spanNames == ["s0", "s1", "s2"])
        #expect(processor.counts.dropped == 2)
    }
}
