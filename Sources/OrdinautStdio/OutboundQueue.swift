/// The lines waiting for the stdout writer thread, bounded in bytes: the state of `LineWriter`,
/// without the thread or the descriptor.
///
/// A client that stops reading its stdout backs up only its own messages:
/// - answers (and server-to-client requests, which someone waits on) are always queued, since
///   dropping one would leave a request unanswered forever;
/// - notifications (progress, logs, list changes) are dropped while the queue holds `limit` bytes
///   or more, and counted;
/// - while the queue holds `limit` bytes or more it is `full`, and the transport stops reading
///   input until it drains: the client's further requests wait in its own pipe, not in our memory.
///
/// So the queue exceeds `limit` by at most the answers of requests already running when it filled.
struct OutboundQueue {
    /// What happened to an offered line.
    enum Admission: Equatable {
        case queued
        case dropped
    }

    let limit: Int
    private var lines: [[UInt8]] = []
    private var head = 0
    /// Bytes queued plus those of the line being written.
    private(set) var pendingBytes = 0
    /// Lines queued plus the line being written.
    private(set) var pendingLines = 0
    /// Notifications dropped because the queue was full.
    private(set) var dropped = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether input should wait: the client is not reading what it already has.
    var isFull: Bool { pendingBytes >= limit }

    /// Offers a line; `droppable` is true for notifications.
    mutating func offer(_ line: [UInt8], droppable: Bool) -> Admission {
        if droppable && isFull {
            dropped += 1
            return .dropped
        }
        lines.append(line)
        pendingBytes += line.count
        pendingLines += 1
        return .queued
    }

    /// The next line to write; it stays pending until `written(_:)`.
    mutating func next() -> [UInt8]? {
        guard head < lines.count else { return nil }
        let line = lines[head]
        lines[head] = []
        head += 1
        if head == lines.count {
            lines.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= lines.count {
            lines.removeFirst(head)
            head = 0
        }
        return line
    }

    /// The line `next()` returned has been written (or given up on).
    mutating func written(_ line: [UInt8]) {
        pendingBytes -= line.count
        pendingLines -= 1
    }

    /// Forgets every queued line (the reader went away); returns how many there were.
    mutating func discardAll() -> Int {
        let count = lines.count - head
        for index in head..<lines.count { pendingBytes -= lines[index].count }
        pendingLines -= count
        lines.removeAll()
        head = 0
        return count
    }
}
