import Synchronization

/// A request that is running on a connection, so that `notifications/cancelled` (or the connection
/// closing) can cancel it. A cancellation that arrives before the request started running is
/// remembered.
final class InFlightRequest: Sendable {
    private struct State {
        var cancelled = false
        /// Cancels the task the request runs in, when it runs in a task of its own made for it.
        var cancel: (@Sendable () -> Void)?
        /// The task the request runs in, when that task is the request's own (stdio): it is
        /// registered only while the request runs, and cancelled under the lock, so never after.
        var running: RunningTask?
    }

    /// The current task of a running request, kept to cancel it: valid only while it is registered.
    private struct RunningTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
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

    /// Runs `body` in the current task, which must belong to this request alone; a cancellation
    /// meanwhile cancels that task.
    func run<Value>(_ body: () async -> Value) async -> Value {
        withUnsafeCurrentTask { task in
            guard let task else { return }
            let running = RunningTask(task: task)
            state.withLock { state in
                state.running = running
                if state.cancelled { running.task.cancel() }
            }
        }
        defer { state.withLock { $0.running = nil } }
        return await body()
    }

    func cancel() {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelled = true
            state.running?.task.cancel()
            return state.cancel
        }
        action?()
    }
}
