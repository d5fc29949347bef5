import Synchronization

/// The `Host` headers `BrowserPolicy` answered lately, with its answers: a client sends the same one
/// on every request, and parsing it (and asking whether it is loopback) cost W2 3 % of its time.
/// Bounded, since the header is the client's to choose: once `capacity` values are known, further
/// ones are decided every time and not kept.
final class HostDecisions: Sendable {
    private let known = Mutex<[String: Bool]>([:])
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    func decision(for header: String, deciding: (String) -> Bool) -> Bool {
        if let known = known.withLock({ $0[header] }) { return known }
        let allowed = deciding(header)
        known.withLock { known in
            if known.count < capacity { known[header] = allowed }
        }
        return allowed
    }
}
