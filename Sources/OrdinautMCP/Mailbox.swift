import OrdinautCore
import Synchronization

/// A bounded, many-producer single-consumer queue of messages, usable as a `MessageSink`.
///
/// When full it drops the oldest message: a client that stops reading loses old notifications, it
/// does not grow the server's memory. A consumer can be interrupted without losing a message, which
/// is how a new HTTP stream takes over from one whose client has silently gone.
public final class Mailbox: MessageSink, Sendable {
    /// What a wait on the mailbox produced.
    public enum Event: Sendable {
        case message(JSONValue)
        /// `interrupt()` was called; no message was consumed.
        case interrupted
        /// The mailbox is closed and empty, or the waiting task was cancelled.
        case closed
    }

    private struct State {
        var queue: [JSONValue] = []
        var head = 0
        var waiter: CheckedContinuation<Event, Never>?
        var closed = false
        var interruptPending = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    public func send(_ message: JSONValue) async {
        post(message)
    }

    /// Enqueues without waiting; ignored once closed.
    public func post(_ message: JSONValue) {
        let waiter: CheckedContinuation<Event, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.queue.count - state.head >= capacity {
                state.head += 1
            }
            state.queue.append(message)
            if state.head > 64 && state.head * 2 > state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            return nil
        }
        waiter?.resume(returning: .message(message))
    }

    /// Wakes the current consumer with `.interrupted` (or the next one, if none is waiting).
    public func interrupt() {
        let waiter = state.withLock { state -> CheckedContinuation<Event, Never>? in
            guard let waiter = state.waiter else {
                state.interruptPending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .interrupted)
    }

    /// Stops accepting messages; a waiting receiver gets `.closed` once the queue is empty.
    public func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Event, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .closed)
    }

    /// The next message; `nil` when closed and empty, or when the calling task is cancelled.
    /// Interruptions are ignored.
    public func receive() async -> JSONValue? {
        while true {
            switch await next() {
            case .message(let message): return message
            case .interrupted: continue
            case .closed: return nil
            }
        }
    }

    /// The next event: a message, an interruption, or the end.
    public func next() async -> Event {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Event, Never>) in
                let immediate: Event? = state.withLock { state in
                    if state.interruptPending {
                        state.interruptPending = false
                        return .interrupted
                    }
                    if state.head < state.queue.count {
                        let message = state.queue[state.head]
                        state.head += 1
                        if state.head == state.queue.count {
                            state.queue.removeAll(keepingCapacity: true)
                            state.head = 0
                        }
                        return .message(message)
                    }
                    if state.closed || Task.isCancelled { return .closed }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Event, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: .closed)
        }
    }
}
