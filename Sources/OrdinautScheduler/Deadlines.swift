import Synchronization

/// Cancels work that outlives its deadline: one ticker for every step in flight, instead of a sleep
/// raced against each call (a cancelled sleep holds its memory until its deadline would have come).
public final class Deadlines: Sendable {
    private struct Entry {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private let entries = Mutex<[Int: Entry]>([:])
    private let nextID = Mutex(0)
    private let resolution: Duration

    public init(resolution: Duration = .milliseconds(50)) {
        self.resolution = resolution
    }

    /// Calls `expire` once `deadline` passes, unless `cancel`led first with the returned id.
    func add(_ deadline: ContinuousClock.Instant, expire: @escaping @Sendable () -> Void) -> Int {
        let id = nextID.withLock { value -> Int in
            defer { value += 1 }
            return value
        }
        entries.withLock { $0[id] = Entry(deadline: deadline, expire: expire) }
        return id
    }

    func cancel(_ id: Int) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// Expires entries until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: resolution)
            let now = ContinuousClock.now
            let expired = entries.withLock { entries -> [Entry] in
                let due = entries.filter { $0.value.deadline <= now }
                for id in due.keys { entries[id] = nil }
                return Array(due.values)
            }
            for entry in expired { entry.expire() }
        }
    }
}
