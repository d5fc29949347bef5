/// The events the in-process bus keeps for reading back: at most `retention` events and
/// `streamBytes` bytes per stream and `totalBytes` over all streams, the oldest going first.
/// A stream whose last event goes is forgotten, so many short-lived streams cost nothing.
struct EventRetention {
    private struct Stream {
        var events: [Event] = []
        var sizes: [Int] = []
        var serials: [UInt64] = []
        var bytes = 0
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
        stream.events.append(event)
        stream.sizes.append(bytes)
        stream.serials.append(serial)
        stream.bytes += bytes
        totalBytes += bytes
        count += 1
        var drop = 0
        var dropped = 0
        while stream.events.count - drop > limits.retention || stream.bytes - dropped > limits.streamBytes, drop < stream.events.count - 1 {
            dropped += stream.sizes[drop]
            drop += 1
        }
        if drop > 0 {
            stream.events.removeFirst(drop)
            stream.sizes.removeFirst(drop)
            stream.serials.removeFirst(drop)
            stream.bytes -= dropped
            totalBytes -= dropped
            count -= drop
        }
        streams[key] = stream
        order.append((key, serial))
        while totalBytes > limits.totalBytes, head < order.count - 1 { evictOldest() }
        if order.count - head > 2 * count + 1024 || head > max(4096, order.count / 2) { compact() }
    }

    /// A stream keeps a suffix of what it was given, so an entry is current when its serial is at
    /// least the stream's oldest kept one.
    private func isKept(_ entry: (stream: StreamName, serial: UInt64)) -> Bool {
        guard let first = streams[entry.stream]?.serials.first else { return false }
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
        guard streams[key]?.serials.first == serial, var stream = streams.removeValue(forKey: key) else { return }
        totalBytes -= stream.sizes[0]
        count -= 1
        stream.bytes -= stream.sizes[0]
        stream.events.removeFirst()
        stream.sizes.removeFirst()
        stream.serials.removeFirst()
        if !stream.events.isEmpty { streams[key] = stream }
    }
}
