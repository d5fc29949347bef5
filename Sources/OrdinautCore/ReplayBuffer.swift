/// The messages a stream keeps so that `Last-Event-ID` can resume it (an MCP session's server
/// stream, the change stream of `GET /changes`): the latest `countLimit` messages within
/// `byteLimit` bytes, the oldest going first. A message larger than the whole budget is numbered
/// and sent but not kept.
///
/// Appending costs the same however full the buffer is: the oldest messages are dropped by moving
/// a start index (and releasing them), and the slots before it are compacted away only once they
/// are as many as the kept ones.
public struct ReplayBuffer: Sendable {
    private struct Entry: Sendable {
        let id: Int
        var message: JSONValue
        let bytes: Int
    }

    public let countLimit: Int
    public let byteLimit: Int
    /// Kept messages from `start` on; the slots before it held dropped ones.
    private var entries: [Entry] = []
    private var start = 0
    public private(set) var bytes = 0

    public init(countLimit: Int, byteLimit: Int) {
        self.countLimit = countLimit
        self.byteLimit = byteLimit
    }

    public var count: Int { entries.count - start }

    public mutating func append(id: Int, message: JSONValue) {
        guard countLimit > 0, case .fits(let size) = message.measure(limit: byteLimit) else { return }
        entries.append(Entry(id: id, message: message, bytes: size))
        bytes += size
        while count > countLimit || bytes > byteLimit {
            bytes -= entries[start].bytes
            entries[start].message = .null
            start += 1
        }
        if start > 0 && start >= count {
            entries.removeFirst(start)
            start = 0
        }
    }

    /// The id of the oldest kept message.
    public var oldestID: Int? { count > 0 ? entries[start].id : nil }

    /// The kept messages after event `id`, oldest first.
    public func after(_ id: Int) -> [(id: Int, message: JSONValue)] {
        entries[start...].lazy.filter { $0.id > id }.map { ($0.id, $0.message) }
    }
}
