import OrdinautCore
import Synchronization

/// What a subscriber runs for each event. Throwing counts as a failed delivery; a bus with
/// acknowledgements (Redis) redelivers it, the in-process bus records it.
public typealias EventHandler = @Sendable (Event) async throws -> Void

/// Who receives an event among subscribers of the same pattern.
public enum Delivery: Sendable, Hashable {
    /// Each event goes to one member of the group — across every Ordinaut process on the same bus
    /// with Redis — and an event whose handler fails is delivered again (at least once).
    case group(String)
    /// Every such subscriber receives every event published after it subscribed.
    case fanOut
}

/// Publish, subscribe and read back events. Two backends pass one contract suite: the in-process
/// bus (default) and Redis Streams.
public protocol EventBus: Sendable {
    /// The backend's name as `/ext/status` shows it (`memory`, `redis`).
    var backend: String { get }

    /// Appends an event to its stream and delivers it to matching subscribers. `causation` is set
    /// when a run publishes it. A payload larger than the bus's `EventLimits.payloadBytes` is refused.
    func publish(source: String, namespace: String, name: String, payload: JSONValue, causation: Causation?) async throws(EventBusError) -> Event

    /// Calls `handler` for each later event matching `pattern`, one at a time, in order. `subscriber`
    /// names who subscribed, for logs and status.
    func subscribe(_ pattern: TopicPattern, subscriber: String, delivery: Delivery,
                   handler: @escaping EventHandler) async throws(EventBusError) -> EventSubscription

    /// The retained events of one stream with ids after `after` (all when `nil`), oldest first.
    func read(stream: StreamName, after: String?, limit: Int) async throws(EventBusError) -> [Event]
}

extension EventBus {
    /// Publishes an event that no run caused.
    public func publish(source: String, namespace: String, name: String, payload: JSONValue) async throws(EventBusError) -> Event {
        try await publish(source: source, namespace: namespace, name: name, payload: payload, causation: nil)
    }
}

/// A live subscription: its delivery counters and a way to end it.
public final class EventSubscription: Sendable {
    public struct Counters: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        /// Events that overflowed this subscriber's queue; each is also logged.
        public var dropped = 0
    }

    public let pattern: TopicPattern
    public let subscriber: String
    private let counters = Mutex(Counters())
    private let onCancel: Mutex<(@Sendable () -> Void)?>

    public init(pattern: TopicPattern, subscriber: String, onCancel: @escaping @Sendable () -> Void) {
        self.pattern = pattern
        self.subscriber = subscriber
        self.onCancel = Mutex(onCancel)
    }

    public var snapshot: Counters { counters.withLock { $0 } }

    public func record(_ update: (inout Counters) -> Void) {
        counters.withLock { update(&$0) }
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { onCancel.withLock { $0 == nil } }

    /// Stops delivery; events already being handled finish. Calling it again does nothing.
    public func cancel() {
        let action = onCancel.withLock { action in
            defer { action = nil }
            return action
        }
        action?()
    }
}
