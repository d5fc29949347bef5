import Foundation
import Logging
import OrdinautCore
import Synchronization

/// The default bus: events live in this process. Each stream keeps its latest `retention` events
/// for `read`; each subscriber has its own bounded queue and task, so a slow subscriber delays only
/// itself. An event that overflows a queue is counted and logged, never dropped silently.
public final class InProcessEventBus: EventBus {
    public let backend = "memory"

    private struct Subscriber: Sendable {
        let subscription: EventSubscription
        let delivery: Delivery
        let queue: AsyncStream<Event>.Continuation
    }

    private struct State {
        var streams: [StreamName: [Event]] = [:]
        var subscribers: [ObjectIdentifier: Subscriber] = [:]
        /// Per group, how many events it has been given: the round-robin position.
        var groupTurns: [String: Int] = [:]
        var lastMillisecond: Int64 = 0
        var sequence = 0
    }

    private let state = Mutex(State())
    private let retention: Int
    private let queueLimit: Int
    private let logger: Logger

    public init(retention: Int = 1000, queueLimit: Int = 10_000, logger: Logger = Logger(label: "ordinaut.events")) {
        self.retention = max(1, retention)
        self.queueLimit = max(1, queueLimit)
        self.logger = logger
    }

    public func publish(source: String, namespace: String, name: String, payload: JSONValue) async throws(EventBusError) -> Event {
        for (part, role) in [(source, "source"), (namespace, "namespace"), (name, "name")] {
            if let problem = StreamName.problem(with: part, as: role) { throw EventBusError(problem) }
        }
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
                              name: name, payload: payload, timestamp: now)
            let key = StreamName(source: source, namespace: namespace, name: name)
            state.streams[key, default: []].append(event)
            if state.streams[key]!.count > retention { state.streams[key]!.removeFirst(state.streams[key]!.count - retention) }
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
        for target in targets {
            if case .dropped = target.queue.yield(event) {
                target.subscription.record { $0.dropped += 1 }
                logger.warning("event queue full; event dropped for this subscriber", metadata: [
                    "subscriber": .string(target.subscription.subscriber), "stream": .string(event.stream), "event": .string(event.id),
                ])
            }
        }
        return event
    }

    /// A group here is the subscriptions of this process that share its name; each event goes to one.
    public func subscribe(_ pattern: TopicPattern, subscriber: String, delivery: Delivery,
                          handler: @escaping EventHandler) async throws(EventBusError) -> EventSubscription {
        let (stream, queue) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(queueLimit))
        let subscription = EventSubscription(pattern: pattern, subscriber: subscriber) { queue.finish() }
        let key = ObjectIdentifier(subscription)
        state.withLock { $0.subscribers[key] = Subscriber(subscription: subscription, delivery: delivery, queue: queue) }
        let logger = logger
        let consumer = Task {
            for await event in stream {
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
        let events = state.withLock { $0.streams[stream] ?? [] }
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
