import OrdinautCore

/// What the bus keeps and queues, in events and in bytes (`ORDINAUT_EVENTS_*`; defaults in the
/// README). Counting alone does not bound memory when one client chooses the payloads.
public struct EventLimits: Sendable, Equatable {
    /// Largest payload one event may carry, as compact JSON; a larger one is refused.
    public var payloadBytes = 1 << 20
    /// Events kept per stream for reading back (`ORDINAUT_EVENTS_RETENTION`).
    public var retention = 1000
    /// Bytes kept per stream; the oldest events go first.
    public var streamBytes = 16 << 20
    /// Bytes kept over all streams; the oldest events of any stream go first.
    public var totalBytes = 64 << 20
    /// Events waiting for one subscriber, and their bytes; past either, the event is dropped for
    /// that subscriber, counted and logged.
    public var queueEvents = 10_000
    public var queueBytes = 16 << 20

    public init() {}

    /// The payload's size in bytes, or an error when it is larger than `payloadBytes`.
    public func size(of payload: JSONValue) throws(EventBusError) -> Int {
        switch payload.measure(limit: payloadBytes) {
        case .fits(let bytes): return bytes
        case .tooLarge:
            throw EventBusError("the event payload is larger than \(payloadBytes) bytes (ORDINAUT_EVENTS_MAX_PAYLOAD_BYTES)", isInvalidInput: true)
        case .tooDeep:
            throw EventBusError("the event payload nests deeper than \(JSONParser.defaultMaximumDepth) levels", isInvalidInput: true)
        }
    }
}
