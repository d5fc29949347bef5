/// The finished spans waiting for export: bounded, and what does not fit is dropped and counted
/// rather than holding the caller or growing memory.
struct SpanQueue {
    let capacity: Int
    private(set) var spans: [SpanRecord] = []
    /// Spans dropped because the queue was full, since the last `takeDropped()`.
    private(set) var dropped = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { spans.count }

    /// Adds `span`, or drops it when the queue is full; returns whether it was kept.
    @discardableResult
    mutating func append(_ span: SpanRecord) -> Bool {
        guard spans.count < capacity else {
            dropped += 1
            return false
        }
        spans.append(span)
        return true
    }

    /// The oldest `limit` spans, removed from the queue.
    mutating func take(_ limit: Int) -> [SpanRecord] {
        let batch = Array(spans.prefix(limit))
        spans.removeFirst(batch.count)
        return batch
    }

    /// The drop count, reset.
    mutating func takeDropped() -> Int {
        defer { dropped = 0 }
        return dropped
    }
}
