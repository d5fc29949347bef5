/// The count of open connections against `ConnectionLimits.maxConnections`: which new connection is
/// served, which is answered 503, and when the server stops accepting. A pure value; the server
/// shares one behind a lock (`SharedConnectionBudget`).
///
/// Every accepted connection holds a descriptor until it closes. Up to `maxConnections` are served;
/// up to `refusalSlots` more are accepted only to be answered 503; past that the server leaves new
/// connections in the kernel's backlog until one closes, so that the process never runs out of
/// descriptors because of its clients.
struct ConnectionBudget: Sendable, Equatable {
    let maxConnections: Int
    let refusalSlots: Int
    /// Accepted and not yet closed, served or refused.
    private(set) var open = 0
    private(set) var served = 0
    /// Connections to refuse whatever the count: the process ran out of descriptors elsewhere.
    private var forcedRefusals = 0

    init(maxConnections: Int, refusalSlots: Int = ConnectionLimits.refusalSlots) {
        self.maxConnections = maxConnections
        self.refusalSlots = refusalSlots
    }

    /// Whether accepting must stop until a connection closes.
    var isFull: Bool { open >= maxConnections + refusalSlots }

    mutating func accepted() { open += 1 }

    mutating func closed() { open = max(0, open - 1) }

    /// Whether a freshly accepted connection is served; `false` means it is answered 503. A served
    /// connection must be given back with `left()` when it closes.
    mutating func admit() -> Bool {
        if forcedRefusals > 0 {
            forcedRefusals -= 1
            return false
        }
        guard served < maxConnections else { return false }
        served += 1
        return true
    }

    mutating func left() { served = max(0, served - 1) }

    /// The next connection is refused: it was accepted with the descriptor kept in reserve.
    mutating func refuseNext() { forcedRefusals += 1 }
}
