#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Logging
import OrdinautCore
import OrdinautMCP
import OrdinautStdio
import Synchronization

/// JSON-RPC over a child process's stdin and stdout, newline-delimited, in both directions: the
/// host sends MCP requests and answers the child's `ordinaut/*` requests.
///
/// Reading happens on a dedicated thread (`LineReader`); writing on a serial dispatch queue, so a
/// child that stops reading its stdin stalls only its own queue, never the concurrency pool.
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

    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: CheckedContinuation<Result<JSONValue, Failure>, Never>] = [:]
        var closed = false
        var counters = Counters()
    }

    private let state = Mutex(State())
    private let input: FileHandle
    private let reader: LineReader
    private let writeQueue: DispatchQueue
    private let logger: Logger
    private let onRequest: RequestHandler
    private let onNotification: NotificationHandler

    init(input: FileHandle, output: FileHandle, label: String, maximumLineLength: Int, logger: Logger,
         onRequest: @escaping RequestHandler, onNotification: @escaping NotificationHandler) {
        self.input = input
        reader = LineReader(descriptor: output.fileDescriptor, maximumLineLength: maximumLineLength, threadName: "ext-\(label)")
        writeQueue = DispatchQueue(label: "ordinaut.ext.\(label).stdin")
        self.logger = logger
        self.onRequest = onRequest
        self.onNotification = onNotification
    }

    var counters: Counters { state.withLock { $0.counters } }

    /// Reads until the child closes its stdout; then every pending request fails with `.closed`.
    func run() async {
        reader.start()
        await withTaskGroup(of: Void.self) { group in
            for await line in reader.lines {
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
                        group.addTask {
                            let outcome = await self.onRequest(request.method, request.params)
                            self.send(JSONRPCResponse(id: request.id, outcome: outcome).json)
                        }
                    }
                }
            }
        }
        close()
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
              let continuation = state.withLock({ $0.pending.removeValue(forKey: id) }) else {
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
        for continuation in pending { continuation.resume(returning: .failure(.closed)) }
        reader.stop()
        writeQueue.async { [input] in try? input.close() }
    }

    func send(_ message: JSONValue) {
        var line = message.encoded()
        line.append(0x0A)
        let bytes = line
        writeQueue.async { [input] in try? input.write(contentsOf: bytes) }
    }

    func notify(_ method: String, _ params: JSONObject = [:]) {
        send(JSONRPCNotification(method: method, params: params).json)
    }

    /// Sends a request and waits for its result, at most `timeout`. A timeout or the caller's
    /// cancellation sends `notifications/cancelled` to the child.
    func request(_ method: String, _ params: JSONObject = [:], timeout: Duration) async -> Result<JSONValue, Failure> {
        let id = state.withLock { state -> Int64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withTaskGroup(of: Result<JSONValue, Failure>?.self) { group in
            group.addTask { await self.exchange(id: id, method: method, params: params) }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .failure(.timedOut(timeout))
            }
            var outcome: Result<JSONValue, Failure> = .failure(.cancelled)
            for await result in group {
                guard let result else { continue }
                outcome = result
                break
            }
            group.cancelAll()
            if case .failure(let failure) = outcome, !(failure.isRemote || failure.isClosed) {
                abandon(id, reason: failure.description)
            }
            return outcome
        }
    }

    private func exchange(id: Int64, method: String, params: JSONObject) async -> Result<JSONValue, Failure> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let accepted = state.withLock { state -> Bool in
                    guard !state.closed else { return false }
                    state.pending[id] = continuation
                    return true
                }
                guard accepted else { return continuation.resume(returning: .failure(.closed)) }
                send(JSONRPCRequest(id: .number(id), method: method, params: params).json)
            }
        } onCancel: {
            state.withLock { $0.pending.removeValue(forKey: id) }?.resume(returning: .failure(.cancelled))
        }
    }

    private func abandon(_ id: Int64, reason: String) {
        state.withLock { $0.pending.removeValue(forKey: id) }?.resume(returning: .failure(.cancelled))
        notify("notifications/cancelled", ["requestId": .integer(id), "reason": .string(reason)])
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
