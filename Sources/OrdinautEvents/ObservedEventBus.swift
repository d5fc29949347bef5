import OrdinautCore
import Synchronization

/// Told what the event bus did, for metrics.
public protocol EventBusObserver: AnyObject, Sendable {
    /// An event from `source` (`ordinaut` or an extension id) was published.
    func eventPublished(source: String)
    /// A subscriber handled an event (`failed` when its handler threw), `lag` after it was published.
    func eventDelivered(failed: Bool, lag: Duration)
}

/// A bus that reports publications and deliveries to an observer and adds up the events its
/// subscribers' queues dropped; everything else is the wrapped bus's.
public final class ObservedEventBus: EventBus {
    public let base: any EventBus
    private let observer: any EventBusObserver
    private let clock: @Sendable () -> Int64
    /// Live subscriptions, and the drops of those that ended.
    private let tally = Mutex<(live: [EventSubscription], endedDrops: Int)>(([], 0))

    public init(_ base: any EventBus, observer: any EventBusObserver, clock: @escaping @Sendable () -> Int64) {
        self.base = base
        self.observer = observer
        self.clock = clock
    }

    public var backend: String { base.backend }

    public func publish(source: String, namespace: String, name: String, payload: JSONValue,
                        causation: Causation?) async throws(EventBusError) -> Event {
        let event = try await base.publish(source: source, namespace: namespace, name: name, payload: payload, causation: causation)
        observer.eventPublished(source: source)
        return event
    }

    public func subscribe(_ pattern: TopicPattern, subscriber: String, delivery: Delivery,
                          handler: @escaping EventHandler) async throws(EventBusError) -> EventSubscription {
        let subscription = try await base.subscribe(pattern, subscriber: subscriber, delivery: delivery) { [observer, clock] event in
            let lag = Duration.milliseconds(max(0, clock() - event.timestamp))
            do {
                try await handler(event)
                observer.eventDelivered(failed: false, lag: lag)
            } catch {
                observer.eventDelivered(failed: true, lag: lag)
                throw error
            }
        }
        tally.withLock { tally in
            for ended in tally.live where ended.isCancelled { tally.endedDrops += ended.snapshot.dropped }
            tally.live.removeAll { $0.isCancelled }
            tally.live.append(subscription)
        }
        return subscription
    }

    public func read(stream: StreamName, after: String?, limit: Int) async throws(EventBusError) -> [Event] {
        try await base.read(stream: stream, after: after, limit: limit)
    }

    /// Events dropped, over every subscription made through this bus, because a subscriber's queue was full.
    public var dropped: Int {
        tally.withLock { tally in tally.endedDrops + tally.live.reduce(0) { $0 + $1.snapshot.dropped } }
    }
}
