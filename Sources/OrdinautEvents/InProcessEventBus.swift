import Foundation
import Logging
import OrdinautCore
import Synchronization

/// The default bus: events live in this process. Streams keep their latest events for `read`
/// within `EventLimits` (events and bytes, per stream and in total); each subscriber has its own
/// queue, bounded in events and bytes, and task, so a slow subscriber delays only itself. An event
/// that overflows a queue is counted and logged, never dropped silently.
public final class InProcessEventBus: EventBus {
    public let backend = "memory"

    private struct Queued: Sendable {
        let event: Event
        let bytes: Int
    }

    private struct Subscriber: Sendable {
        let subscription: EventSubscription
        let delivery: Delivery
        let queue: AsyncStream<Queued>.Continuation
        /// Bytes given to the queue and not yet handled.
        let pending: PendingBytes

        /// Queues `queued` unless the queue is full in events or in bytes.
        func offer(_ queued: Queued, byteLimit: Int) -> Bool {
            guard pending.add(queued.bytes, limit: byteLimit) else { return false }
            if case .dropped = queue.yield(queued) {
                pending.remove(queued.bytes)
                return false
            }
            return true
        }
    }

    private final class PendingBytes: Sendable {
        private let bytes = Mutex(0)

        func add(_ count: Int, limit: Int) -> Bool {
            bytes.withLock { bytes in
                guard bytes + count <= limit else { return false }
                bytes += count
                return true
            }
        }

        func remove(_ count: Int) { bytes.withLock { $0 -= count } }
    }

    private struct State {
        var retained: EventRetention
        var subscribers: [ObjectIdentifier: Subscriber] = [:]
        /// Per group, how many events it has been given: the round-robin position.
        var groupTurns: [String: Int] = [:]
        var lastMillisecond: Int64 = 0
        var sequence = 0
    }

    private let state: Mutex<State>
    private let limits: EventLimits
    private let logger: Logger

    public init(limits: EventLimits = EventLimits(), logger: Logger = Logger(label: "ordinaut.events")) {
        var limits = limits
        limits.retention = max(1, limits.retention)
        limits.queueEvents = max(1, limits.queueEvents)
        self.limits = limits
        self.state = Mutex(State(retained: EventRetention(limits: limits)))
        self.logger = logger
    }

    /// What is kept for reading back: events, bytes and streams.
    public var retained: (events: Int, bytes: Int, streams: Int) {
        state.withLock { ($0.retained.count, $0.retained.totalBytes, $0.retained.streamCount) }
    }

    public func publish(source: String, namespace: String, name: String, payload: JSONValue,
                        causation: Causation?) async throws(EventBusError) -> Event {
        for (part, role) in [(source, "source"), (namespace, "namespace"), (name, "name")] {
            if let problem = StreamName.problem(with: part, as: role) { throw EventBusError(problem, isInvalidInput: true) }
        }
        let bytes = try limits.size(of: payload) + source.utf8.count + namespace.utf8.count + name.utf8.count + 64
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let (event, targets) = state.withLock { state -> (Event, [Subscriber]) in
            // Ids stay ordered even if the wall clock steps back.
            if now > state.lastMillisecond {
                state.lastMillisecond = now
                state.sequence = 0
            } else {
                state.sequence += 1
            }
            let event = Event(id: "\(state.lastMillisecond)-\(state.sequence)", source: source, namespace: namespace,
                              name: name, payload: payload, timestamp: now, causation: causation)
            state.retained.append(event, bytes: bytes, to: StreamName(source: source, namespace: namespace, name: name))
            let matching = state.subscribers.values.filter { $0.subscription.pattern.matches(event) }
                .sorted { ObjectIdentifier($0.subscription) < ObjectIdentifier($1.subscription) }
            var targets: [Subscriber] = []
            var groups: [String: [Subscriber]] = [:]
            for subscriber in matching {
                switch subscriber.delivery {
                case .fanOut: targets.append(subscriber)
                case .group(let name): groups[name, default: []].append(subscriber)
                }
            }
            for (name, members) in groups {
                let turn = state.groupTurns[name, default: 0]
                state.groupTurns[name] = turn &+ 1
                targets.append(members[turn % members.count])
            }
            return (event, targets)
        }
        for target in targets where !target.offer(Queued(event: event, bytes: bytes), byteLimit: limits.queueBytes) {
            target.subscription.record { $0.dropped += 1 }
            logger.warning("event queue full; event dropped for this subscriber", metadata: [
                "subscriber": .string(target.subscription.subscriber), "stream": .string(event.stream), "event": .string(event.id),
            ])
        }
        return event
    }

    /// A group here is the subscriptions of this process that share its name; each event goes to one.
    public func subscribe(_ pattern: TopicPattern, subscriber: String, delivery: Delivery,
                          handler: @escaping EventHandler) async throws(EventBusError) -> EventSubscription {
        let (stream, queue) = AsyncStream.makeStream(of: Queued.self, bufferingPolicy: .bufferingOldest(limits.queueEvents))
        let subscription = EventSubscription(pattern: pattern, subscriber: subscriber) { queue.finish() }
        let key = ObjectIdentifier(subscription)
        let target = Subscriber(subscription: subscription, delivery: delivery, queue: queue, pending: PendingBytes())
        state.withLock { $0.subscribers[key] = target }
        let logger = logger
        let consumer = Task {
            for await queued in stream {
                let event = queued.event
                defer { target.pending.remove(queued.bytes) }
                do {
                    try await handler(event)
                    subscription.record { $0.delivered += 1 }
                } catch {
                    subscription.record { $0.failed += 1 }
                    logger.warning("event handler failed", metadata: [
                        "subscriber": .string(subscriber), "stream": .string(event.stream), "error": .string("\(error)"),
                    ])
                }
            }
        }
        queue.onTermination = { [weak self] _ in
            consumer.cancel()
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: key) }
        }
        return subscription
    }

    public func read(stream: StreamName, after: String?, limit: Int) async throws(EventBusError) -> [Event] {
        let events = state.withLock { $0.retained.events(in: stream) }
        let start: Int
        if let after {
            guard let marker = EventID(after) else { throw EventBusError("\"\(after)\" is not an event id (<milliseconds>-<sequence>)") }
            start = events.firstIndex { EventID($0.id)! > marker } ?? events.endIndex
        } else {
            start = events.startIndex
        }
        return Array(events[start...].prefix(max(0, limit)))
    }
}

/// An event id's two numbers, compared in order.
struct EventID: Comparable {
    let millisecond: Int64
    let sequence: Int64

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let millisecond = Int64(parts[0]), let sequence = Int64(parts[1]),
              millisecond >= 0, sequence >= 0 else { return nil }
        self.millisecond = millisecond
        self.sequence = sequence
    }

    static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.millisecond, lhs.sequence) < (rhs.millisecond, rhs.sequence)
    }
}
