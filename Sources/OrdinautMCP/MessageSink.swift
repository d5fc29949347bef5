import OrdinautCore

/// Where a connection writes messages: stdout, one HTTP response stream, an SSE stream.
public protocol MessageSink: Sendable {
    /// Delivers one message. A sink whose peer has gone drops it; the transport notices on its own.
    func send(_ message: JSONValue) async
}
