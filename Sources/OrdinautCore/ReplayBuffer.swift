/// The messages a stream keeps so that `Last-Event-ID` can resume it (an MCP session's server
/// stream, the change stream of `GET /changes`): the latest `countLimit` messages within
/// `byteLimit` bytes, the oldest going first (in constant time, `FrontQueue`). A message larger
/// than the whole budget is numbered and sent but not kept.
public struct ReplayBuffer: Sendable {
    private struct Entry: Sendable {
        let id: Int
        let message: JSONValue
        let bytes: Int
    }

    public let countLimit: Int
    public let byteLimit: Int
    private var entries = FrontQueue<Entry>()
    public private(set) var bytes = 0

    public init(countLimit: Int, byteLimit: Int) {
        self.countLimit = countLimit
        self.byteLimit = byteLimit
    }

    public var count: Int { entries.count }

    public mutating func append(id: Int, message: JSONValue) {
        guard countLimit > 0, case .fits(let size) = message.measure(limit: byteLimit) else { return }
        entries.append(Entry(id: id, message: message, bytes: size))
        bytes += size
        while entries.count > countLimit || bytes > byteLimit {
            bytes -= entries.removeFirst().bytes
        }
    }

    /// The id of the oldest kept message.
    public var oldestID: Int? { entries.first?.id }

    /// The kept messages after event `id`, oldest first.
    public func after(_ id: Int) -> [(id: Int, message: JSONValue)] {
        entries.elements.filter { $0.id > id }.map { ($0.id, $0.message) }
    }
}
