import OrdinautIO
import Synchronization

/// The lines the stdio thread has read, for the one task that handles them.
///
/// What `AsyncStream` would do, for one consumer and one element type: the standard library's
/// stream keeps its buffer behind unspecialized generic code, which instantiated type metadata on
/// every line and cost about 7 % of a stdio round trip. Lines wait here only while the consumer is
/// busy, and the stdio thread delivers no more than the writer admits, so the buffer stays small.
final class LineInbox: AsyncSequence, Sendable {
    typealias Element = LineSplitter.Line

    private struct State {
        var lines: [LineSplitter.Line] = []
        /// The index in `lines` of the next line to hand out.
        var head = 0
        /// The consumer, while it waits for a line.
        var waiter: UnsafeContinuation<LineSplitter.Line?, Never>?
        var finished = false

        /// The next buffered line, if any.
        mutating func take() -> LineSplitter.Line? {
            guard head < lines.count else { return nil }
            defer {
                head += 1
                if head == lines.count {
                    lines.removeAll(keepingCapacity: true)
                    head = 0
                }
            }
            return lines[head]
        }
    }

    private let state = Mutex(State())

    /// Hands `line` to the waiting consumer, or keeps it for the next `next()`. Ignored once finished.
    func yield(_ line: LineSplitter.Line) {
        let waiter = state.withLock { state -> UnsafeContinuation<LineSplitter.Line?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.lines.append(line)
            return nil
        }
        waiter?.resume(returning: line)
    }

    /// Ends the sequence: the consumer gets the lines already buffered, then `nil`.
    func finish() {
        let waiter = state.withLock { state -> UnsafeContinuation<LineSplitter.Line?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next line; `nil` once finished and drained, or when the waiting task is cancelled.
    func next() async -> LineSplitter.Line? {
        let ready = state.withLock { state -> LineSplitter.Line?? in
            if let line = state.take() { return .some(line) }
            return state.finished ? .some(nil) : nil
        }
        if let ready { return ready }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<LineSplitter.Line?, Never>) in
                let ready = state.withLock { state -> LineSplitter.Line?? in
                    if let line = state.take() { return .some(line) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let inbox: LineInbox
        mutating func next() async -> LineSplitter.Line? { await inbox.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inbox: self) }
}
