import OrdinautCore
import OrdinautEvents

/// An extension's view of the event bus. It publishes under its own id (streams
/// `ext:<id>:<namespace>:<name>`) with `EVENTS_PUB`, and subscribes or reads with `EVENTS_SUB`.
public struct ExtensionEvents: Sendable {
    public let extensionID: String
    private let bus: any EventBus
    private let grants: Set<Capability>
    private let grantSource: String
    private let didSubscribe: @Sendable (EventSubscription, @escaping EventHandler) -> Void

    public init(extensionID: String, bus: any EventBus, grants: Set<Capability>, grantSource: String,
                didSubscribe: @escaping @Sendable (EventSubscription, @escaping EventHandler) -> Void = { _, _ in }) {
        self.extensionID = extensionID
        self.bus = bus
        self.grants = grants
        self.grantSource = grantSource
        self.didSubscribe = didSubscribe
    }

    /// Publishes `payload` as event `name` in `namespace` (default `events`).
    @discardableResult
    public func publish(_ name: String, _ payload: JSONValue, namespace: String = StreamName.defaultNamespace) async throws -> Event {
        try require(.eventsPublish)
        return try await bus.publish(source: extensionID, namespace: namespace, name: name, payload: payload)
    }

    /// Calls `handler` for every later event matching `pattern` (see `TopicPattern`).
    ///
    /// By default the extension's subscription to a pattern is one consumer group: with several
    /// Ordinaut processes on one Redis, each event is handled once, by one of them, and redelivered
    /// if the handler throws. With `fanOut`, this subscription receives every event itself — what a
    /// live view (an SSE stream, say) wants.
    @discardableResult
    public func subscribe(_ pattern: String, fanOut: Bool = false, _ handler: @escaping EventHandler) async throws -> EventSubscription {
        try require(.eventsSubscribe)
        let delivery: Delivery = fanOut ? .fanOut : .group("ext:\(extensionID):\(pattern)")
        let subscription = try await bus.subscribe(try TopicPattern(pattern), subscriber: extensionID, delivery: delivery, handler: handler)
        didSubscribe(subscription, handler)
        return subscription
    }

    /// The retained events of a stream after `after`, oldest first.
    public func read(_ stream: StreamName, after: String? = nil, limit: Int = 100) async throws -> [Event] {
        try require(.eventsSubscribe)
        return try await bus.read(stream: stream, after: after, limit: limit)
    }

    private func require(_ capability: Capability) throws(CapabilityError) {
        guard grants.contains(capability) else {
            throw CapabilityError(extensionID: extensionID, capability: capability, grantSource: grantSource)
        }
    }
}
