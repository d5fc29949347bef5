import OrdinautCore

/// The server-stream messages a session keeps so that `Last-Event-ID` can resume a stream: the
/// latest `countLimit` messages within `byteLimit` bytes, the oldest going first. A message larger
/// than the whole budget is numbered and sent but not kept.
struct ReplayBuffer {
    let countLimit: Int
    let byteLimit: Int
    private var entries: [(id: Int, message: JSONValue, bytes: Int)] = []
    private(set) var bytes = 0

    init(countLimit: Int, byteLimit: Int) {
        self.countLimit = countLimit
        self.byteLimit = byteLimit
    }

    var count: Int { entries.count }

    mutating func append(id: Int, message: JSONValue) {
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

    /// The kept messages after event `id`, oldest first.
    func after(_ id: Int) -> [(id: Int, message: JSONValue)] {
        entries.lazy.filter { $0.id > id }.map { ($0.id, $0.message) }
    }
}
