/// The messages a stream keeps so that `Last-Event-ID` can resume it (an MCP session's server
/// stream, the change stream of `GET /changes`): the latest `countLimit` messages within
/// `byteLimit` bytes, the oldest going first. A message larger than the whole budget is numbered
/// and sent but not kept.
public struct ReplayBuffer: Sendable {
    public let countLimit: Int
    public let byteLimit: Int
    private var entries: [(id: Int, message: JSONValue, bytes: Int)] = []
    public private(set) var bytes = 0

    public init(countLimit: Int, byteLimit: Int) {
        self.countLimit = countLimit
        self.byteLimit = byteLimit
    }

    public var count: Int { entries.count }

    public mutating func append(id: Int, message: JSONValue) {
        guard countLimit > 0, case .fits(let size) = message.measure(limit: byteLimit) else { return }
        entries.append((id, message, size))
        bytes += size
        var drop = 0
        while entries.count - drop > countLimit || bytes > byteLimit {
            bytes -= entries[drop].bytes
            drop += 1
        }
        if drop > 0 { entries.removeFirst(drop) }
    }

    /// The id of the oldest kept message.
    public var oldestID: Int? { entries.first?.id }

    /// The kept messages after event `id`, oldest first.
    public func after(_ id: Int) -> [(id: Int, message: JSONValue)] {
        entries.lazy.filter { $0.id > id }.map { ($0.id, $0.message) }
    }
}
