/// Values by key, each until its own expiry, at most `capacity` of them (0 keeps none); when full,
/// the oldest insertion goes first. Expired entries are dropped when looked up and, from the front
/// of the insertion order, when something is inserted. A hit costs a dictionary lookup. The
/// credential caches share it: agent-token answers and validated OAuth tokens.
struct ExpiringCache<Key: Hashable & Sendable, Value: Sendable, Instant: Comparable & Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let expires: Instant
        let serial: UInt64
    }

    /// The most entries held.
    let capacity: Int
    private var entries: [Key: Entry] = [:]
    /// Insertion order, oldest first from `head`; pairs whose serial no longer matches the entry
    /// are left-overs of replaced or expired entries and are skipped.
    private var order: [(key: Key, serial: UInt64)] = []
    private var head = 0
    private var serial: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The number of entries held, expired ones not yet noticed included.
    var count: Int { entries.count }

    /// The value cached for `key`, if it has not expired by `now`.
    mutating func value(for key: Key, now: Instant) -> Value? {
        guard let entry = entries[key] else { return nil }
        guard now < entry.expires else {
            entries[key] = nil
            return nil
        }
        return entry.value
    }

    /// Forgets `key` (its insertion-order pair becomes a left-over).
    mutating func remove(_ key: Key) {
        entries[key] = nil
    }

    /// Keeps `value` for `key` until `expires`; nothing is kept for a time already past.
    mutating func insert(_ value: Value, for key: Key, until expires: Instant, now: Instant) {
        guard expires > now, capacity > 0 else { return }
        while head < order.count, isStale(order[head], now: now) { head += 1 }
        if entries[key] == nil {
            while entries.count >= capacity, evictOldest() {}
        }
        serial += 1
        entries[key] = Entry(value: value, expires: expires, serial: serial)
        order.append((key, serial))
        compactIfNeeded()
    }

    /// Whether an insertion-order pair no longer stands for a live entry; an expired one is dropped.
    private mutating func isStale(_ pair: (key: Key, serial: UInt64), now: Instant) -> Bool {
        guard let entry = entries[pair.key], entry.serial == pair.serial else { return true }
        guard now < entry.expires else {
            entries[pair.key] = nil
            return true
        }
        return false
    }

    private mutating func evictOldest() -> Bool {
        while head < order.count {
            let (key, serial) = order[head]
            head += 1
            if entries[key]?.serial == serial {
                entries[key] = nil
                return true
            }
        }
        return false
    }

    /// Drops consumed and left-over pairs so that `order` stays within a small multiple of `capacity`.
    private mutating func compactIfNeeded() {
        guard order.count - head > 2 * capacity || (head > 1024 && head > order.count / 2) else { return }
        order = order[head...].filter { entries[$0.key]?.serial == $0.serial }
        head = 0
    }
}
