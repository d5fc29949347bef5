import OrdinautCore
import OrdinautEvents
import Testing

@Suite("Event bus limits")
struct EventLimitsTests {
    static func limits(_ change: (inout EventLimits) -> Void) -> EventLimits {
        var limits = EventLimits()
        change(&limits)
        return limits
    }

    static func text(_ bytes: Int) -> JSONValue { .string(String(repeating: "x", count: bytes)) }

    @Test func aPayloadOverTheLimitIsRefusedAsInvalidInput() async throws {
        let bus = InProcessEventBus(limits: Self.limits { $0.payloadBytes = 1000 })
        await #expect {
            try await bus.publish(source: "s", namespace: "events", name: "n", payload: Self.text(2000))
        } throws: { ($0 as? EventBusError)?.isInvalidInput == true && "\($0)".contains("1000 bytes") }
        _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: Self.text(500))
    }

    @Test func eachStreamKeepsItsBytes() async throws {
        let bus = InProcessEventBus(limits: Self.limits { $0.streamBytes = 10_000 })
        for _ in 0..<50 { _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: Self.text(1000)) }
        let kept = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n"), after: nil, limit: 1000)
        #expect((5...10).contains(kept.count))
        #expect(bus.retained.bytes <= 10_000)
    }

    @Test func allStreamsTogetherKeepTheTotalAndForgetEmptyStreams() async throws {
        let bus = InProcessEventBus(limits: Self.limits { $0.totalBytes = 50_000 })
        for index in 0..<2000 {
            _ = try await bus.publish(source: "s", namespace: "events", name: "n\(index)", payload: Self.text(1000))
        }
        let retained = bus.retained
        #expect(retained.bytes <= 50_000)
        #expect(retained.streams == retained.events)
        #expect(retained.streams < 60)
        // The newest survive, the oldest went.
        #expect(try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n1999"), after: nil, limit: 1).count == 1)
        #expect(try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n0"), after: nil, limit: 1).isEmpty)
    }

    @Test func aLongStreamKeepsExactlyItsNewestEventsThroughEveryCompaction() async throws {
        let bus = InProcessEventBus(limits: Self.limits { $0.retention = 7 })
        let stream = StreamName(source: "s", namespace: "events", name: "long")
        for index in 0..<3_000 {
            _ = try await bus.publish(source: "s", namespace: "events", name: "long", payload: .integer(Int64(index)))
            let kept = try await bus.read(stream: stream, after: nil, limit: 100).map(\.payload)
            #expect(kept == (max(0, index - 6)...index).map { .integer(Int64($0)) })
        }
        #expect(bus.retained.events == 7)
    }

    @Test func retentionBookkeepingStaysProportionalToWhatIsKept() async throws {
        let bus = InProcessEventBus(limits: Self.limits { $0.retention = 2 })
        for index in 0..<20_000 { _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: .integer(Int64(index))) }
        #expect(bus.retained.events == 2)
    }

    @Test func aSlowSubscribersQueueIsBoundedInBytes() async throws {
        let bus = InProcessEventBus(limits: Self.limits { $0.queueBytes = 20_000 })
        let gate = AsyncStream.makeStream(of: Void.self)
        let subscription = try await bus.subscribe(try TopicPattern("n"), subscriber: "slow", delivery: .fanOut) { _ in
            for await _ in gate.stream { break }
        }
        for _ in 0..<100 { _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: Self.text(1000)) }
        #expect(subscription.snapshot.dropped >= 75)
        gate.continuation.finish()
        subscription.cancel()
    }

    @Test func causationTravelsWithTheEvent() async throws {
        let bus = InProcessEventBus()
        let causation = Causation(runId: "r2", taskId: "t2", trigger: Causation(runId: "r1", taskId: "t1", trigger: nil))
        #expect(causation.depth == 2)
        #expect(causation.taskIds == ["t1", "t2"])
        let event = try await bus.publish(source: "s", namespace: "events", name: "n", payload: nil, causation: causation)
        #expect(Causation(json: event.json["causation"]) == causation)
        let read = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n"), after: nil, limit: 1)
        #expect(read.first?.causation == causation)
        #expect(Causation(json: ["depth": -1]) == nil)
        let long = Causation(depth: 40, runId: nil, taskIds: (0..<40).map { "t\($0)" })
        #expect(long.taskIds.count == Causation.keptTasks)
        #expect(long.taskIds.last == "t39")
    }
}
