import OrdinautCore
import Synchronization

/// A bounded, many-producer single-consumer queue of messages, usable as a `MessageSink`.
///
/// When full it drops the oldest message: a client that stops reading loses old notifications, it
/// does not grow the server's memory. `receive` returns `nil` once the mailbox is closed and drained,
/// or when the receiving task is cancelled.
public final class Mailbox: MessageSink, Sendable {
    private struct State {
        var queue: [JSONValue] = []
        var head = 0
        var waiter: CheckedContinuation<JSONValue?, Never>?
        var closed = false
        var dropped = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// How many messages were dropped because the mailbox was full.
    public var droppedCount: Int { state.withLock { $0.dropped } }

    public func send(_ message: JSONValue) async {
        post(message)
    }

    /// Enqueues without waiting; ignored once closed.
    public func post(_ message: JSONValue) {
        let waiter: CheckedContinuation<JSONValue?, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.queue.count - state.head >= capacity {
                state.head += 1
                state.dropped += 1
            }
            state.queue.append(message)
            if state.head > 64 && state.head * 2 > state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// Stops accepting messages; a waiting receiver gets `nil` once the queue is empty.
    public func close() {
        let waiter = state.withLock { state -> CheckedContinuation<JSONValue?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next message; `nil` when closed and empty, or when the calling task is cancelled.
    public func receive() async -> JSONValue? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<JSONValue?, Never>) in
                let immediate: JSONValue?? = state.withLock { state in
                    if state.head < state.queue.count {
                        let message = state.queue[state.head]
                        state.head += 1
                        if state.head == state.queue.count {
                            state.queue.removeAll(keepingCapacity: true)
                            state.head = 0
                        }
                        return .some(message)
                    }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<JSONValue?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
