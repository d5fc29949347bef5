#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Logging
import OrdinautCore
import OrdinautMCP
import OrdinautIO
import Synchronization

/// JSON-RPC over a child process's stdin and stdout, newline-delimited, in both directions: the
/// host sends MCP requests and answers the child's `ordinaut/*` requests.
///
/// Reading happens on a dedicated thread (`LineReader`), or on the `reactor` when one is given, which
/// resumes a waiting request directly.
/// Writing happens on the caller, non-blocking; whatever the pipe cannot take at once goes to a
/// serial dispatch queue, so a child that stops reading its stdin stalls only that queue, never the
/// concurrency pool.
final class ChildConnection: Sendable {
    typealias RequestHandler = @Sendable (_ method: String, _ params: JSONObject) async -> Result<JSONValue, RPCError>
    typealias NotificationHandler = @Sendable (_ method: String, _ params: JSONObject) -> Void

    /// Why a request got no result.
    enum Failure: Error, Sendable, CustomStringConvertible {
        case closed
        case timedOut(Duration)
        case cancelled
        case remote(RPCError)

        var description: String {
            switch self {
            case .closed: return "the extension process is not running"
            case .timedOut(let limit): return "no answer within \(limit.components.seconds) s"
            case .cancelled: return "cancelled"
            case .remote(let error): return "the extension answered error \(error.code): \(error.message)"
            }
        }
    }

    struct Counters: Sendable {
        /// Lines on stdout that were not JSON-RPC messages.
        var garbageLines = 0
        var lastGarbage: String?
    }

    private struct Pending {
        let continuation: CheckedContinuation<Result<JSONValue, Failure>, Never>
        let deadline: ContinuousClock.Instant
        let timeout: Duration
    }

    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: Pending] = [:]
        var closed = false
        var counters = Counters()
        /// The task that expires overdue requests, while any are pending.
        var reaper: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let input: FileHandle
    private let output: FileHandle
    private let label: String
    private let maximumLineLength: Int
    private let reactor: (any LineReactor)?
    private let reader = Mutex<LineReader?>(nil)
    private let writer: PipeWriter
    private let logger: Logger
    private let onRequest: RequestHandler
    private let onNotification: NotificationHandler

    init(input: FileHandle, output: FileHandle, label: String, maximumLineLength: Int, reactor: (any LineReactor)? = nil, logger: Logger,
         onRequest: @escaping RequestHandler, onNotification: @escaping NotificationHandler) {
        self.input = input
        self.output = output
        self.label = label
        self.maximumLineLength = maximumLineLength
        self.reactor = reactor
        writer = PipeWriter(descriptor: input.fileDescriptor, label: label)
        self.logger = logger
        self.onRequest = onRequest
        self.onNotification = onNotification
    }

    var counters: Counters { state.withLock { $0.counters } }

    /// Reads until the child closes its stdout; then every pending request fails with `.closed`.
    func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let reader = LineReader(
                descriptor: output.fileDescriptor, maximumLineLength: maximumLineLength, threadName: "ext-\(label)",
                onLine: { [self] line in receive(line) }, onEnd: { done.resume() })
            self.reader.withLock { $0 = reader }
            reader.start(on: reactor)
        }
        close()
    }

    /// Runs on the reading thread: responses resume their request here; requests and notifications
    /// from the child are handled on tasks of their own.
    private func receive(_ line: LineReader.Line) {
        switch line {
        case .tooLong(let length):
            noteGarbage("a line of \(length) bytes, longer than the limit")
        case .message(let bytes):
            switch JSONRPCMessage.decode(bytes) {
            case .failure(let failure):
                noteGarbage(String(decoding: bytes.prefix(200), as: UTF8.self) + " (\(failure.error.message))")
            case .success(.response(let response)):
                resolve(response)
            case .success(.notification(let notification)):
                onNotification(notification.method, notification.params)
            case .success(.request(let request)):
                Task {
                    let outcome = await self.onRequest(request.method, request.params)
                    self.send(JSONRPCResponse(id: request.id, outcome: outcome).json)
                }
            }
        }
    }

    private func noteGarbage(_ excerpt: String) {
        state.withLock {
            $0.counters.garbageLines += 1
            $0.counters.lastGarbage = excerpt
        }
        logger.warning("extension wrote a line that is not JSON-RPC", metadata: ["line": .string(excerpt)])
    }

    private func resolve(_ response: JSONRPCResponse) {
        guard case .number(let id)? = response.id,
              let continuation = state.withLock({ $0.pending.removeValue(forKey: id) })?.continuation else {
            noteGarbage("a response to unknown request id \(response.id.map { "\($0)" } ?? "null")")
            return
        }
        switch response.outcome {
        case .success(let result): continuation.resume(returning: .success(result))
        case .failure(let error): continuation.resume(returning: .failure(.remote(error)))
        }
    }

    /// Fails every pending request and refuses new ones.
    func close() {
        let pending = state.withLock { state in
            state.closed = true
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for entry in pending { entry.continuation.resume(returning: .failure(.closed)) }
        reader.withLock { $0 }?.stop()
        writer.close { [input] in try? input.close() }
    }

    func send(_ message: JSONValue) {
        var line = message.encoded()
        line.append(0x0A)
        writer.write(line)
    }

    func notify(_ method: String, _ params: JSONObject = [:]) {
        send(JSONRPCNotification(method: method, params: params).json)
    }

    /// Sends a request and waits for its result, at most `timeout` (to within a tenth of a second).
    /// A timeout or the caller's cancellation sends `notifications/cancelled` to the child.
    ///
    /// Deadlines are kept beside the pending requests and expired by one task per connection, so a
    /// call costs no timer task of its own.
    func request(_ method: String, _ params: JSONObject = [:], timeout: Duration) async -> Result<JSONValue, Failure> {
        let id = state.withLock { state -> Int64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var sent = false
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A task cancelled before this point ran `onCancel` already, finding nothing to
                // cancel: it must not wait. Checked under the lock `onCancel` takes, so no
                // cancellation falls between the check and the registration.
                let refusal = state.withLock { state -> Failure? in
                    guard !state.closed else { return .closed }
                    guard !Task.isCancelled else { return .cancelled }
                    state.pending[id] = Pending(continuation: continuation, deadline: .now + timeout, timeout: timeout)
                    if state.reaper == nil { state.reaper = Task { await self.expireOverdue() } }
                    return nil
                }
                if let refusal { return continuation.resume(returning: .failure(refusal)) }
                sent = true
                send(JSONRPCRequest(id: .number(id), method: method, params: params).json)
            }
        } onCancel: {
            state.withLock { $0.pending.removeValue(forKey: id) }?.continuation.resume(returning: .failure(.cancelled))
        }
        if sent, case .failure(let failure) = outcome, !(failure.isRemote || failure.isClosed) {
            notify("notifications/cancelled", ["requestId": .integer(id), "reason": .string(failure.description)])
        }
        return outcome
    }

    /// Fails requests whose deadline passed; ends when none is pending (the next request starts it again).
    private func expireOverdue() async {
        while true {
            try? await Task.sleep(for: .milliseconds(100))
            let now = ContinuousClock.now
            let (overdue, done) = state.withLock { state -> ([Pending], Bool) in
                let ids = state.pending.filter { $0.value.deadline <= now }.map(\.key)
                let overdue = ids.compactMap { state.pending.removeValue(forKey: $0) }
                if state.pending.isEmpty || state.closed {
                    state.reaper = nil
                    return (overdue, true)
                }
                return (overdue, false)
            }
            for entry in overdue { entry.continuation.resume(returning: .failure(.timedOut(entry.timeout))) }
            if done { return }
        }
    }
}

extension ChildConnection.Failure {
    var isRemote: Bool {
        if case .remote = self { return true }
        return false
    }

    var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }
}

/// Writes whole lines to a pipe without blocking the caller: the descriptor is non-blocking, and
/// what does not fit now is finished, in order, on a serial queue that waits for the pipe.
final class PipeWriter: Sendable {
    private let descriptor: Int32
    private let queue: DispatchQueue
    /// Writes handed to the queue and not finished; while any are, later writes queue behind them.
    private let queued = Mutex(0)

    init(descriptor: Int32, label: String) {
        self.descriptor = descriptor
        queue = DispatchQueue(label: "ordinaut.ext.\(label).stdin")
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    }

    func write(_ bytes: [UInt8]) {
        let rest: ArraySlice<UInt8>? = queued.withLock { queued in
            guard queued == 0 else {
                queued += 1
                return bytes[...]
            }
            let written = Self.writeSome(descriptor, bytes[...])
            // Everything written, or the child is gone (its requests fail when its stdout closes).
            guard written >= 0, written < bytes.count else { return nil }
            queued += 1
            return bytes[written...]
        }
        guard let rest else { return }
        queue.async { [self] in
            var remaining = rest
            while !remaining.isEmpty {
                let written = Self.writeSome(descriptor, remaining)
                if written < 0 { break }
                remaining = remaining.dropFirst(written)
                if !remaining.isEmpty {
                    var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    if poll(&poller, 1, 1000) < 0 && errno != EINTR { break }
                }
            }
            queued.withLock { $0 -= 1 }
        }
    }

    /// Runs `action` after every queued write.
    func close(_ action: @escaping @Sendable () -> Void) {
        queue.async(execute: action)
    }

    /// Writes what the pipe takes now: the count written, or -1 when the pipe is broken.
    private static func writeSome(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && errno == EAGAIN {
                    return offset
                } else {
                    return offset == 0 ? -1 : offset
                }
            }
            return offset
        }
    }
}
