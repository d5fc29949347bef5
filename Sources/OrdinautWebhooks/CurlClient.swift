import CCurl
import Foundation
import Synchronization

/// One outbound HTTP request.
public struct HTTPCall: Sendable {
    public var url: String
    public var method: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var timeout: Duration
    public var maxResponseBytes: Int

    public init(url: String, method: String = "GET", headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
                timeout: Duration = .seconds(30), maxResponseBytes: Int = 1 << 20) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// What came back.
public struct HTTPCallResponse: Sendable {
    public let status: Int
    public let contentType: String?
    public let body: [UInt8]
}

/// Why there is no response.
public enum HTTPCallFailure: Error, Sendable, CustomStringConvertible {
    case timedOut(Duration)
    case connection(String)
    case tooLarge(Int)
    case cancelled
    case invalid(String)

    public var description: String {
        switch self {
        case .timedOut(let limit):
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            return "no complete response within \(seconds) s"
        case .connection(let detail): return detail
        case .tooLarge(let limit): return "the response is larger than \(limit) bytes"
        case .cancelled: return "cancelled"
        case .invalid(let detail): return detail
        }
    }
}

/// HTTP through libcurl's multi interface: one dedicated thread drives every transfer, so blocking
/// never reaches the concurrency pool, and connections are reused across calls.
///
/// Nothing starts before the first call: a client nobody calls (the OAuth fetcher of a server
/// without OAuth, the exporter of tracing that stays off) neither opens libcurl nor starts a thread.
/// Where libcurl cannot be loaded, every call fails with a `.connection` naming the library.
public final class CurlClient: Sendable {
    private struct Queues {
        var additions: [Transfer] = []
        var cancellations: [ObjectIdentifier] = []
        var running = true
        /// The transfer thread waits in `curl_multi_poll`, or is about to, with nothing queued: only
        /// then does new work wake it (a wake-up is a socket write and a read, and while the thread
        /// is busy it finds the work on its next turn anyway).
        var sleeping = false

        /// Whether the transfer thread must be woken for work just queued; it is then no longer asleep.
        mutating func wakeIfSleeping() -> Bool {
            defer { sleeping = false }
            return sleeping
        }
    }

    private let maxConnections: Int
    /// The multi handle once the first call started it, or why it could not start.
    private let started = Mutex<Result<MultiHandle, HTTPCallFailure>?>(nil)
    private let queues = Mutex(Queues())

    /// libcurl, opened and initialised once per process by the first call of any client; the reason
    /// when it cannot be loaded.
    private static let unavailable: String? = {
        guard ordinaut_curl_load() != 0 else { return String(cString: ordinaut_curl_load_error()) }
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return nil
    }()

    public init(maxConnections: Int = 256) {
        self.maxConnections = maxConnections
    }

    /// The multi handle, made with its transfer thread on the first call.
    private func startedMulti() -> Result<MultiHandle, HTTPCallFailure> {
        started.withLock { started in
            if let started { return started }
            if let problem = Self.unavailable {
                started = .failure(.connection(problem))
                return started!
            }
            let multi = MultiHandle(curl_multi_init())
            ordinaut_curl_multi_set_long(multi.pointer, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConnections)
            ordinaut_curl_multi_set_long(multi.pointer, CURLMOPT_MAXCONNECTS, maxConnections)
            let thread = Thread { [self] in loop(multi) }
            thread.name = "ordinaut-curl"
            thread.start()
            started = .success(multi)
            return started!
        }
    }

    /// Stops the transfer thread, if it started; transfers still running fail with `.cancelled`.
    public func shutdown() {
        queues.withLock { $0.running = false }
        if case .success(let multi) = started.withLock({ $0 }) { curl_multi_wakeup(multi.pointer) }
    }

    /// Performs `call`. Cancelling the calling task aborts the transfer.
    public func perform(_ call: HTTPCall) async -> Result<HTTPCallResponse, HTTPCallFailure> {
        let multi: MultiHandle
        switch startedMulti() {
        case .success(let started): multi = started
        case .failure(let failure): return .failure(failure)
        }
        let transfer: Transfer
        switch Transfer.make(call) {
        case .success(let made): transfer = made
        case .failure(let failure): return .failure(failure)
        }
        let key = ObjectIdentifier(transfer)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                let (accepted, sleeping) = queues.withLock { queues -> (Bool, Bool) in
                    guard queues.running else { return (false, false) }
                    queues.additions.append(transfer)
                    return (true, queues.wakeIfSleeping())
                }
                if sleeping { curl_multi_wakeup(multi.pointer) }
                if !accepted { transfer.finish(Result<HTTPCallResponse, HTTPCallFailure>.failure(.cancelled)) }
            }
        } onCancel: {
            let sleeping = queues.withLock { queues in
                queues.cancellations.append(key)
                return queues.wakeIfSleeping()
            }
            if sleeping { curl_multi_wakeup(multi.pointer) }
        }
    }

    private func loop(_ multi: MultiHandle) {
        var active: [ObjectIdentifier: Transfer] = [:]
        while true {
            let (additions, cancellations, running) = queues.withLock { queues in
                defer {
                    queues.additions = []
                    queues.cancellations = []
                }
                return (queues.additions, queues.cancellations, queues.running)
            }
            for transfer in additions {
                active[ObjectIdentifier(transfer)] = transfer
                curl_multi_add_handle(multi.pointer, transfer.easy)
            }
            for key in cancellations {
                guard let transfer = active.removeValue(forKey: key) else { continue }
                curl_multi_remove_handle(multi.pointer, transfer.easy)
                transfer.finish(.failure(.cancelled))
            }
            guard running else {
                for transfer in active.values {
                    curl_multi_remove_handle(multi.pointer, transfer.easy)
                    transfer.finish(.failure(.cancelled))
                }
                return
            }
            var stillRunning: Int32 = 0
            curl_multi_perform(multi.pointer, &stillRunning)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi.pointer, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                var privateData: UnsafeMutableRawPointer?
                ordinaut_curl_get_pointer(easy, CURLINFO_PRIVATE, &privateData)
                guard let privateData else { continue }
                let transfer = Unmanaged<Transfer>.fromOpaque(privateData).takeUnretainedValue()
                active.removeValue(forKey: ObjectIdentifier(transfer))
                curl_multi_remove_handle(multi.pointer, easy)
                transfer.complete(code)
            }
            // Whoever queues work from here on wakes the thread; what was queued meanwhile is taken now.
            let sleeping = queues.withLock { queues in
                queues.sleeping = queues.additions.isEmpty && queues.cancellations.isEmpty && queues.running
                return queues.sleeping
            }
            guard sleeping else { continue }
            curl_multi_poll(multi.pointer, nil, 0, 1000, nil)
            queues.withLock { $0.sleeping = false }
        }
    }
}

/// The multi handle; used only by the transfer thread, apart from `curl_multi_wakeup`, which
/// libcurl documents as safe from any thread.
private struct MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer?

    init(_ pointer: UnsafeMutableRawPointer?) {
        self.pointer = pointer
    }
}

/// One transfer: its easy handle and what it has received. Configured by the caller, then owned
/// by the transfer thread until `finish`.
private final class Transfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    let limit: Int
    let timeout: Duration
    var continuation: CheckedContinuation<Result<HTTPCallResponse, HTTPCallFailure>, Never>?
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    var body: [UInt8] = []
    var exceeded = false
    private var finished = false

    private init(easy: UnsafeMutableRawPointer, limit: Int, timeout: Duration) {
        self.easy = easy
        self.limit = limit
        self.timeout = timeout
        errorBuffer.initialize(to: 0)
    }

    deinit {
        curl_slist_free_all(requestHeaders)
        HandlePool.shared.put(easy)
        errorBuffer.deallocate()
    }

    static func make(_ call: HTTPCall) -> Result<Transfer, HTTPCallFailure> {
        guard call.url.hasPrefix("http://") || call.url.hasPrefix("https://") else {
            return .failure(.invalid("only http and https URLs are allowed"))
        }
        guard let easy = HandlePool.shared.take() else { return .failure(.connection("libcurl could not create a handle")) }
        let transfer = Transfer(easy: easy, limit: call.maxResponseBytes, timeout: call.timeout)
        let milliseconds = max(1, Int(call.timeout.components.seconds) * 1000 + Int(call.timeout.components.attoseconds / 1_000_000_000_000_000))
        ordinaut_curl_set_string(easy, CURLOPT_URL, call.url)
        ordinaut_curl_set_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        ordinaut_curl_set_string(easy, CURLOPT_CUSTOMREQUEST, call.method)
        ordinaut_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        ordinaut_curl_set_long(easy, CURLOPT_TIMEOUT_MS, milliseconds)
        ordinaut_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 10_000))
        ordinaut_curl_set_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        ordinaut_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        if call.method == "HEAD" { ordinaut_curl_set_long(easy, CURLOPT_NOBODY, 1) }
        if let body = call.body {
            ordinaut_curl_set_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
            // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
            _ = body.withUnsafeBufferPointer { buffer in
                ordinaut_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in call.headers {
            // Checked on bytes: "\r\n" is a single Character, so a Character comparison lets it through.
            guard HeaderBytes.isToken(header.name) else {
                curl_slist_free_all(list)
                return .failure(.invalid("header name \"\(header.name.prefix(64))\" is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"))
            }
            guard HeaderBytes.isFieldValue(header.value) else {
                curl_slist_free_all(list)
                return .failure(.invalid("the value of header \(header.name) contains a line break or another control character"))
            }
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        // No "Expect: 100-continue" round trip for large bodies.
        list = curl_slist_append(list, "Expect:")
        transfer.requestHeaders = list
        ordinaut_curl_set_slist(easy, CURLOPT_HTTPHEADER, list)
        let opaque = Unmanaged.passUnretained(transfer).toOpaque()
        ordinaut_curl_set_pointer(easy, CURLOPT_PRIVATE, opaque)
        ordinaut_curl_set_pointer(easy, CURLOPT_WRITEDATA, opaque)
        ordinaut_curl_set_write_function(easy) { data, size, count, user in
            let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let length = size * count
            guard transfer.body.count + length <= transfer.limit else {
                transfer.exceeded = true
                return 0
            }
            data?.withMemoryRebound(to: UInt8.self, capacity: length) { transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
            return length
        }
        return .success(transfer)
    }

    func complete(_ code: CURLcode) {
        if code == CURLE_OK {
            var status = 0
            ordinaut_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
            var type: UnsafeMutableRawPointer?
            ordinaut_curl_get_pointer(easy, CURLINFO_CONTENT_TYPE, &type)
            let contentType = type.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
            finish(.success(HTTPCallResponse(status: status, contentType: contentType, body: body)))
        } else if exceeded {
            finish(.failure(.tooLarge(limit)))
        } else if code == CURLE_OPERATION_TIMEDOUT {
            finish(.failure(.timedOut(timeout)))
        } else {
            let detail = String(cString: errorBuffer)
            finish(.failure(.connection(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)))
        }
    }

    func finish(_ result: Result<HTTPCallResponse, HTTPCallFailure>) {
        guard !finished, let continuation else { return }
        finished = true
        continuation.resume(returning: result)
    }
}

/// Easy handles kept for reuse: `curl_easy_reset` clears the options but keeps the handle's
/// buffers, which saves allocating them for every call.
private final class HandlePool: Sendable {
    static let shared = HandlePool()
    private let handles = Mutex<[Handle]>([])
    private let limit = 256

    private struct Handle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    func take() -> UnsafeMutableRawPointer? {
        handles.withLock { $0.popLast()?.pointer } ?? curl_easy_init()
    }

    func put(_ easy: UnsafeMutableRawPointer) {
        curl_easy_reset(easy)
        let kept = handles.withLock { handles -> Bool in
            guard handles.count < limit else { return false }
            handles.append(Handle(pointer: easy))
            return true
        }
        if !kept { curl_easy_cleanup(easy) }
    }
}
