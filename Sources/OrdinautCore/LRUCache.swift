/// A least-recently-used cache bounded both by entry count and by a total cost (bytes, usually).
/// Lookups and insertions are O(1): entries sit in a doubly linked list kept in an array, so the
/// cache allocates nothing per hit. Not thread-safe; wrap it in a `Mutex`.
public struct LRUCache<Key: Hashable, Value> {
    private struct Entry {
        var key: Key
        var value: Value
        var cost: Int
        var newer: Int
        var older: Int
    }

    public let countLimit: Int
    public let costLimit: Int
    public private(set) var totalCost = 0
    private var entries: [Entry] = []
    private var positions: [Key: Int] = [:]
    private var free: [Int] = []
    /// Most and least recently used positions; -1 when empty.
    private var newest = -1
    private var oldest = -1

    public init(countLimit: Int, costLimit: Int) {
        self.countLimit = max(1, countLimit)
        self.costLimit = max(0, costLimit)
    }

    public var count: Int { positions.count }

    /// The cached value, which becomes the most recently used.
    public mutating func value(for key: Key) -> Value? {
        guard let position = positions[key] else { return nil }
        unlink(position)
        linkNewest(position)
        return entries[position].value
    }

    /// Stores `value`, evicting the least recently used entries until both limits hold. A value
    /// costing more than the whole budget is not stored.
    public mutating func insert(_ value: Value, for key: Key, cost: Int) {
        if let position = positions[key] { remove(at: position) }
        guard cost <= costLimit else { return }
        while positions.count >= countLimit || totalCost + cost > costLimit, oldest >= 0 { remove(at: oldest) }
        let entry = Entry(key: key, value: value, cost: cost, newer: -1, older: -1)
        let position: Int
        if let reused = free.popLast() {
            entries[reused] = entry
            position = reused
        } else {
            entries.append(entry)
            position = entries.count - 1
        }
        positions[key] = position
        totalCost += cost
        linkNewest(position)
    }

    private mutating func remove(at position: Int) {
        unlink(position)
        positions[entries[position].key] = nil
        totalCost -= entries[position].cost
        free.append(position)
    }

    private mutating func unlink(_ position: Int) {
        let newer = entries[position].newer, older = entries[position].older
        if newer >= 0 { entries[newer].older = older } else { newest = older }
        if older >= 0 { entries[older].newer = newer } else { oldest = newer }
    }

    private mutating func linkNewest(_ position: Int) {
        entries[position].older = newest
        entries[position].newer = -1
        if newest >= 0 { entries[newest].newer = position }
        newest = position
        if oldest < 0 { oldest = position }
    }
}
