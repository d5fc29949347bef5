import OrdinautCore
import OrdinautEvents
import Synchronization
import Testing

/// The contract every `EventBus` backend passes. Each test takes a fresh bus from `makeBus`.
struct EventBusContract {
    let makeBus: @Sendable () async throws -> any EventBus

    func publishNamesStreamsTheOriginalWay() async throws {
        let bus = try await makeBus()
        let event = try await bus.publish(source: "events_demo", namespace: "custom", name: "test", payload: ["n": 1])
        #expect(event.stream == "ext:events_demo:custom:test")
        #expect(event.payload == ["n": 1])
        let read = try await bus.read(stream: StreamName(source: "events_demo", namespace: "custom", name: "test"), after: nil, limit: 10)
        #expect(read.map(\.id) == [event.id])
    }

    func causationAndPayloadLimitsHoldOnEveryBus() async throws {
        let bus = try await makeBus()
        let causation = Causation(depth: 3, runId: "r", taskIds: ["a", "b", "c"])
        let event = try await bus.publish(source: "s", namespace: "events", name: "caused", payload: 1, causation: causation)
        #expect(event.causation == causation)
        let read = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "caused"), after: nil, limit: 10)
        #expect(read.last?.causation == causation)
        let huge = JSONValue.string(String(repeating: "x", count: EventLimits().payloadBytes + 1))
        await #expect { try await bus.publish(source: "s", namespace: "events", name: "huge", payload: huge) } throws: {
            ($0 as? EventBusError)?.isInvalidInput == true
        }
    }

    func subscribersReceiveMatchingEventsInOrder() async throws {
        let bus = try await makeBus()
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        let subscription = try await bus.subscribe(try TopicPattern("task.*"), subscriber: "test", delivery: .fanOut) { continuation.yield($0) }
        _ = try await bus.publish(source: "a", namespace: "events", name: "task.completed", payload: 1)
        _ = try await bus.publish(source: "a", namespace: "events", name: "other", payload: 2)
        _ = try await bus.publish(source: "b", namespace: "x", name: "task.failed", payload: 3)
        var received: [JSONValue] = []
        for await event in stream {
            received.append(event.payload)
            if received.count == 2 { break }
        }
        #expect(received == [1, 3])
        subscription.cancel()
    }

    func readAfterAnIdReturnsOnlyLaterEvents() async throws {
        let bus = try await makeBus()
        var ids: [String] = []
        for n in 0..<5 { ids.append(try await bus.publish(source: "s", namespace: "events", name: "n", payload: .integer(Int64(n))).id) }
        let later = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n"), after: ids[2], limit: 10)
        #expect(later.map(\.payload) == [3, 4])
        let limited = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n"), after: nil, limit: 2)
        #expect(limited.map(\.payload) == [0, 1])
    }

    func badNamesAreRefusedWithAReason() async throws {
        let bus = try await makeBus()
        for name in ["", "has space", "colon:inside", String(repeating: "x", count: 201)] {
            await #expect(throws: EventBusError.self) {
                _ = try await bus.publish(source: "s", namespace: "events", name: name, payload: .null)
            }
        }
        await #expect(throws: EventBusError.self) {
            _ = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n"), after: "not-an-id", limit: 1)
        }
    }

    func aFailingHandlerIsCountedAndDoesNotStopDelivery() async throws {
        let bus = try await makeBus()
        let (stream, continuation) = AsyncStream.makeStream(of: JSONValue.self)
        struct Boom: Error {}
        let subscription = try await bus.subscribe(try TopicPattern("n"), subscriber: "test", delivery: .fanOut) { event in
            if event.payload == 1 { throw Boom() }
            continuation.yield(event.payload)
        }
        _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: 1)
        _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: 2)
        for await value in stream {
            #expect(value == 2)
            break
        }
        #expect(subscription.snapshot.failed == 1)
        subscription.cancel()
    }

    func aGroupGetsEachEventOnce() async throws {
        let bus = try await makeBus()
        _ = try await bus.publish(source: "s", namespace: "events", name: "job.created", payload: -1)  // the stream exists
        let seen = Mutex<[Int64]>([])
        var subscriptions: [EventSubscription] = []
        for member in 0..<3 {
            subscriptions.append(try await bus.subscribe(try TopicPattern("job.*"), subscriber: "member\(member)", delivery: .group("workers")) { event in
                seen.withLock { $0.append(event.payload.integerValue!) }
            })
        }
        for n in 0..<30 { _ = try await bus.publish(source: "s", namespace: "events", name: "job.created", payload: .integer(Int64(n))) }
        let deadline = ContinuousClock.now + .seconds(10)
        while seen.withLock({ $0.count }) < 30 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(seen.withLock { $0.sorted() } == Array(0..<30))
        for subscription in subscriptions { subscription.cancel() }
    }

    func cancelledSubscriptionsReceiveNothingMore() async throws {
        let bus = try await makeBus()
        let count = Mutex(0)
        let subscription = try await bus.subscribe(try TopicPattern("n"), subscriber: "test", delivery: .fanOut) { _ in count.withLock { $0 += 1 } }
        subscription.cancel()
        _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: 1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(count.withLock { $0 } == 0)
    }
}

@Suite("In-process event bus")
struct InProcessEventBusTests {
    let contract = EventBusContract { InProcessEventBus() }

    @Test func publishNamesStreamsTheOriginalWay() async throws { try await contract.publishNamesStreamsTheOriginalWay() }
    @Test func causationAndPayloadLimitsHoldOnEveryBus() async throws { try await contract.causationAndPayloadLimitsHoldOnEveryBus() }
    @Test func subscribersReceiveMatchingEventsInOrder() async throws { try await contract.subscribersReceiveMatchingEventsInOrder() }
    @Test func readAfterAnIdReturnsOnlyLaterEvents() async throws { try await contract.readAfterAnIdReturnsOnlyLaterEvents() }
    @Test func badNamesAreRefusedWithAReason() async throws { try await contract.badNamesAreRefusedWithAReason() }
    @Test func aFailingHandlerIsCountedAndDoesNotStopDelivery() async throws { try await contract.aFailingHandlerIsCountedAndDoesNotStopDelivery() }
    @Test func cancelledSubscriptionsReceiveNothingMore() async throws { try await contract.cancelledSubscriptionsReceiveNothingMore() }
    @Test func aGroupGetsEachEventOnce() async throws { try await contract.aGroupGetsEachEventOnce() }

    @Test func retentionBoundsEachStream() async throws {
        let bus = InProcessEventBus(limits: { var limits = EventLimits(); limits.retention = 3; return limits }())
        for n in 0..<10 { _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: .integer(Int64(n))) }
        let kept = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "n"), after: nil, limit: 100)
        #expect(kept.map(\.payload) == [7, 8, 9])
    }

    @Test func anOverflowingQueueCountsDroppedEvents() async throws {
        let bus = InProcessEventBus(limits: { var limits = EventLimits(); limits.queueEvents = 2; return limits }())
        let gate = AsyncStream.makeStream(of: Void.self)
        let subscription = try await bus.subscribe(try TopicPattern("n"), subscriber: "slow", delivery: .fanOut) { _ in
            for await _ in gate.stream { break }
        }
        for n in 0..<10 { _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: .integer(Int64(n))) }
        #expect(subscription.snapshot.dropped >= 7)
        gate.continuation.finish()
        subscription.cancel()
    }
}

@Suite("Topic patterns")
struct TopicPatternTests {
    @Test(arguments: [
        ("task.*", "task.completed", true), ("task.*", "task.run.failed", true), ("task.*", "tasks.x", false),
        ("task.?", "task.a", true), ("task.?", "task.ab", false), ("*", "anything", true), ("exact", "exact", true),
        ("exact", "exactly", false), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
    ])
    func namePatterns(pattern: String, name: String, matches: Bool) throws {
        #expect(try TopicPattern(pattern).matches(source: "s", namespace: "events", name: name) == matches)
    }

    @Test func colonPatternsMatchTheWholeStream() throws {
        let pattern = try TopicPattern("ext:events_demo:*:test")
        #expect(pattern.matches(source: "events_demo", namespace: "custom", name: "test"))
        #expect(!pattern.matches(source: "other", namespace: "custom", name: "test"))
    }

    @Test func hostilePatternsAreRefusedOrCheap() throws {
        #expect(throws: EventBusError.self) { try TopicPattern("") }
        #expect(throws: EventBusError.self) { try TopicPattern("has space") }
        #expect(throws: EventBusError.self) { try TopicPattern(String(repeating: "*", count: 513)) }
        // Many stars against a long non-matching subject stays linear-ish (no exponential backtracking).
        let pattern = try TopicPattern(String(repeating: "a*", count: 200) + "b")
        #expect(!pattern.matches(source: "s", namespace: "e", name: String(repeating: "a", count: 200)))
    }
}
