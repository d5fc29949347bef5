import Synchronization

/// One `ConnectionBudget` shared by the accept loop and the connections' event loops.
final class SharedConnectionBudget: Sendable {
    private let state: Mutex<ConnectionBudget>

    init(_ budget: ConnectionBudget) {
        state = Mutex(budget)
    }

    func update<T>(_ body: (inout ConnectionBudget) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
