import OrdinautCore

/// One published event. Its stream is `ext:{source}:{namespace}:{name}`, the original's naming, so
/// `events_demo` publishing `test` in namespace `custom` writes to `ext:events_demo:custom:test`.
public struct Event: Sendable, Equatable {
    /// Ordered within the bus: `<milliseconds>-<sequence>`, as Redis stream entry ids are.
    public let id: String
    /// The publishing extension's id (`ordinaut` for the host itself).
    public let source: String
    public let namespace: String
    public let name: String
    public let payload: JSONValue
    /// Milliseconds since 1970.
    public let timestamp: Int64
    /// The runs that led to this event, when a run published it.
    public let causation: Causation?

    public init(id: String, source: String, namespace: String, name: String, payload: JSONValue, timestamp: Int64,
                causation: Causation? = nil) {
        self.id = id
        self.source = source
        self.namespace = namespace
        self.name = name
        self.payload = payload
        self.timestamp = timestamp
        self.causation = causation
    }

    public var stream: String { StreamName(source: source, namespace: namespace, name: name).description }

    /// The event as JSON, the shape every API (SSE, tools, subprocess extensions) uses.
    public var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "stream": .string(stream), "source": .string(source),
            "namespace": .string(namespace), "name": .string(name), "payload": payload,
            "timestamp": .integer(timestamp),
        ]
        if let causation { object["causation"] = causation.json }
        return .object(object)
    }
}

/// A stream's name, `ext:{source}:{namespace}:{name}`, with each part checked.
public struct StreamName: Sendable, Hashable, CustomStringConvertible {
    /// The namespace used when a publisher names none.
    public static let defaultNamespace = "events"

    public let source: String
    public let namespace: String
    public let name: String

    public init(source: String, namespace: String, name: String) {
        self.source = source
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "ext:\(source):\(namespace):\(name)" }

    /// Why `part` cannot be a namespace or event name, or `nil` when it can: 1–200 characters of
    /// letters, digits and `._-`, so a stream name never needs quoting and never contains `:`.
    public static func problem(with part: String, as role: String) -> String? {
        if part.isEmpty { return "the event \(role) must not be empty" }
        if part.utf8.count > 200 { return "the event \(role) is longer than 200 characters" }
        for scalar in part.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": continue
            default: return "the event \(role) \"\(part)\" contains \"\(scalar)\"; use letters, digits, \".\", \"_\" and \"-\""
            }
        }
        return nil
    }
}

/// Why the bus refused an operation. Publishing reports it to the caller; nothing is dropped silently.
public struct EventBusError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// The event itself was refused (a name or payload), rather than the bus failing.
    public let isInvalidInput: Bool

    public init(_ message: String, isInvalidInput: Bool = false) {
        self.message = message
        self.isInvalidInput = isInvalidInput
    }

    public var description: String { message }
}
