import OrdinautCore

/// Where a connection writes messages: stdout, one HTTP response stream, an SSE stream.
public protocol MessageSink: Sendable {
    /// Delivers one message. A sink whose peer has gone drops it; the transport notices on its own.
    func send(_ message: JSONValue) async

    /// Whether messages sent here reach nobody (a request answered as plain JSON has no stream for
    /// notifications or server-to-client requests).
    var discardsMessages: Bool { get }
}

extension MessageSink {
    public var discardsMessages: Bool { false }
}

/// A sink for requests that have no stream to carry notifications: requests answered as plain
/// JSON, and calls in process with no client.
public struct DiscardingSink: MessageSink {
    public init() {}
    public func send(_ message: JSONValue) async {}
    public var discardsMessages: Bool { true }
}
