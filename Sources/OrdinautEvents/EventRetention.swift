import OrdinautCore

/// The events the in-process bus keeps for reading back: at most `retention` events and
/// `streamBytes` bytes per stream and `totalBytes` over all streams, the oldest going first.
/// A stream whose last event goes is forgotten, so many short-lived streams cost nothing.
struct EventRetention {
    /// One stream's kept events, oldest first; the oldest goes in constant time (`FrontQueue`).
    private struct Stream {
        struct Entry {
            let event: Event
            let bytes: Int
            let serial: UInt64
        }

        private var entries = FrontQueue<Entry>()
        private(set) var bytes = 0

        var count: Int { entries.count }
        var oldest: Entry? { entries.first }
        var events: [Event] { entries.elements.map(\.event) }

        mutating func append(_ entry: Entry) {
            entries.append(entry)
            bytes += entry.bytes
        }

        /// Drops the oldest event and returns its size.
        mutating func dropOldest() -> Int {
            let dropped = entries.removeFirst().bytes
            bytes -= dropped
            return dropped
        }
    }

    let limits: EventLimits
    private var streams: [StreamName: Stream] = [:]
    /// Every kept event in publication order, as (stream, serial), for evicting the oldest of all.
    /// Entries for events a stream already let go are skipped when they reach the front.
    private var order: [(stream: StreamName, serial: UInt64)] = []
    private var head = 0
    private var serial: UInt64 = 0
    private(set) var totalBytes = 0
    private(set) var count = 0

    init(limits: EventLimits) {
        self.limits = limits
    }

    var streamCount: Int { streams.count }

    func events(in stream: StreamName) -> [Event] {
        streams[stream]?.events ?? []
    }

    mutating func append(_ event: Event, bytes: Int, to key: StreamName) {
        serial += 1
        var stream = streams.removeValue(forKey: key) ?? Stream()
        stream.append(Stream.Entry(event: event, bytes: bytes, serial: serial))
        totalBytes += bytes
        count += 1
        // The newest event stays, whatever its size.
        while stream.count > limits.retention || stream.bytes > limits.streamBytes, stream.count > 1 {
            totalBytes -= stream.dropOldest()
            count -= 1
        }
        streams[key] = stream
        order.append((key, serial))
        while totalBytes > limits.totalBytes, head < order.count - 1 { evictOldest() }
        if order.count - head > 2 * count + 1024 || head > max(4096, order.count / 2) { compact() }
    }

    /// A stream keeps a suffix of what it was given, so an entry is current when its serial is at
    /// least the stream's oldest kept one.
    private func isKept(_ entry: (stream: StreamName, serial: UInt64)) -> Bool {
        guard let first = streams[entry.stream]?.oldest?.serial else { return false }
        return entry.serial >= first
    }

    /// Drops the entries of events that streams already let go, so `order` stays proportional to
    /// what is kept.
    private mutating func compact() {
        order = order[head...].filter(isKept)
        head = 0
    }

    private mutating func evictOldest() {
        let (key, serial) = order[head]
        head += 1
        guard streams[key]?.oldest?.serial == serial, var stream = streams.removeValue(forKey: key) else { return }
        totalBytes -= stream.dropOldest()
        count -= 1
        if stream.count > 0 { streams[key] = stream }
    }
}
