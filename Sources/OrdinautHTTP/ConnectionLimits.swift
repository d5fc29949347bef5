/// How long the HTTP server waits for a client, how much header it reads and how many connections it
/// holds: the defences against slow, malformed and too many clients (docs/security.md, "Connection
/// limits").
public struct ConnectionLimits: Sendable, Equatable {
    /// From the first byte of a request to the end of its head; then 408 and the connection closes.
    public var headerTimeout: Duration
    /// From the end of a request's head to the end of its body; then 408 (or a close once an answer
    /// has begun).
    public var bodyTimeout: Duration
    /// How long a connection may wait for the first byte of its next request. It does not run while
    /// an answer is being written: streams and long polls are never cut by it.
    public var idleTimeout: Duration
    /// The most bytes a request's URL and header fields may take together (431 beyond).
    public var maxHeaderBytes: Int
    /// Connections served at once; more are answered 503 and closed.
    public var maxConnections: Int

    /// Descriptors kept free besides the connections: for the database, the event loops, subprocess
    /// extensions, and for answering 503 to connections beyond `maxConnections`.
    public static let descriptorReserve = 64
    /// Connections beyond `maxConnections` that may be waiting for their 503 at once; past them the
    /// server stops accepting until a connection closes.
    public static let refusalSlots = 16
    /// The default `maxConnections` when the descriptor limit is high.
    public static let defaultMaxConnections = 4096

    public init(headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60),
                maxHeaderBytes: Int = 16 * 1024, maxConnections: Int = ConnectionLimits.defaultMaxConnections) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxConnections = maxConnections
    }

    /// The most connections a process allowed `descriptorLimit` open descriptors can serve while
    /// keeping `descriptorReserve` of them for everything else.
    public static func maxConnections(descriptorLimit: Int) -> Int {
        max(1, min(defaultMaxConnections, descriptorLimit - descriptorReserve))
    }
}
