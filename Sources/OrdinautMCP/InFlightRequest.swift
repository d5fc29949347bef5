import Synchronization

/// A request that is running on a connection, so that `notifications/cancelled` (or the connection
/// closing) can cancel it. A cancellation that arrives before the task is attached is remembered.
final class InFlightRequest: Sendable {
    private struct State {
        var cancelled = false
        var cancel: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func attach(cancel: @escaping @Sendable () -> Void) {
        let cancelNow = state.withLock { state -> Bool in
            state.cancel = cancel
            return state.cancelled
        }
        if cancelNow { cancel() }
    }

    func cancel() {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelled = true
            return state.cancel
        }
        action?()
    }
}
