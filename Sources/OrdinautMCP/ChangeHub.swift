import Synchronization

/// Something that changed in the server's surface and that clients may have subscribed to.
public enum ChangeEvent: Sendable, Equatable {
    case toolsListChanged
    case resourcesListChanged
    case promptsListChanged
    case resourceUpdated(uri: String)
    /// An MCP task changed state (its detail is read from the task backend when delivered).
    case taskUpdated(id: String)
}

/// Fans registry and resource changes out to every live connection and subscription.
/// Listeners must not block: they enqueue and return.
///
/// While the surface is being filled (the gate is held), list changes are not announced: requests
/// that list wait until it is complete, so what they see already includes every change.
final class ChangeHub: Sendable {
    typealias Listener = @Sendable (ChangeEvent) -> Void

    private struct State {
        var next = 0
        var listeners: [Int: Listener] = [:]
    }

    private let state = Mutex(State())
    private let gate: SurfaceGate

    init(gate: SurfaceGate) {
        self.gate = gate
    }

    func subscribe(_ listener: @escaping Listener) -> Int {
        state.withLock { state in
            state.next += 1
            state.listeners[state.next] = listener
            return state.next
        }
    }

    func unsubscribe(_ token: Int) {
        _ = state.withLock { $0.listeners.removeValue(forKey: token) }
    }

    func publish(_ event: ChangeEvent) {
        if event.isListChange, gate.isHeld { return }
        let listeners = state.withLock { Array($0.listeners.values) }
        for listener in listeners { listener(event) }
    }
}

extension ChangeEvent {
    var isListChange: Bool {
        switch self {
        case .toolsListChanged, .resourcesListChanged, .promptsListChanged: true
        case .resourceUpdated, .taskUpdated: false
        }
    }
}
