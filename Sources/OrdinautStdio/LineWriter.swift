#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CSpawn
import Logging
import OrdinautCore
import OrdinautMCP

/// Writes one JSON message per line to a file descriptor, through a queue bounded in bytes
/// (`OutboundQueue`) drained by a thread of its own.
///
/// No task of the concurrency pool ever waits on the client. A line goes out at once, on the
/// sender's thread, only when nothing is queued before it, the descriptor is a pipe with room for it
/// (a `pwritev2` with `RWF_NOWAIT` takes it, or on older kernels `poll` says writable, and a line of
/// at most `PIPE_BUF` bytes is then written whole without blocking). Otherwise it is queued for the writing thread, so a client that stops reading its
/// stdout stalls that thread alone, while the scheduler, HTTP and extensions keep running. The stdio
/// thread asks `admitsInput()` before it takes a line: while the queue is full or `maximumInFlight`
/// requests are being handled it reads no more, so a client's further requests wait in its own pipe,
/// and what it can make us hold is the queue's limit, plus the answers of at most `maximumInFlight`
/// requests, plus one read of input. When room appears, `onRoom` tells the stdio thread.
///
/// The state is guarded by `condition` (a lock the writing thread also waits on), hence `@unchecked`.
final class LineWriter: MessageSink, @unchecked Sendable {
    private let descriptor: Int32
    private let maximumInFlight: Int
    private let logger: Logger
    private let onRoom: @Sendable () -> Void
    /// Whether the descriptor is a pipe, whose free room `poll` reports exactly enough for direct writes.
    private let isPipe: Bool
    /// Whether the kernel takes `RWF_NOWAIT` on this pipe (Linux 6.x does): a direct write is then one
    /// `pwritev2` that fails with `EAGAIN` when there is no room, instead of `poll` and then `write`.
    private var writesWithoutWaiting = true
    private let condition = NSCondition()
    private var queue: OutboundQueue
    private var broken = false
    private var closed = false
    private var reportedDrops = 0
    /// Input is refused because the queue is full; logged once each time it starts.
    private var refusingInput = false
    /// Lines not yet written, for `flush`.
    private let unwritten = Tally()
    /// Requests being handled (`requestStarted`, `requestEnded`).
    let requests = Tally()

    init(descriptor: Int32, limit: Int, maximumInFlight: Int, logger: Logger, onRoom: @escaping @Sendable () -> Void) {
        self.descriptor = descriptor
        self.maximumInFlight = maximumInFlight
        self.logger = logger
        self.onRoom = onRoom
        var status = stat()
        isPipe = fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO
        queue = OutboundQueue(limit: limit)
    }

    /// Starts the writing thread; it ends after `close()` once the queue is empty.
    func start() {
        BrokenPipes.ignore()
        let thread = Thread { [self] in writeLoop() }
        thread.name = "ordinaut-stdout"
        thread.start()
    }

    func send(_ message: JSONValue) async {
        enqueue(message)
    }

    /// Queues an answer; answers are never dropped.
    func send(_ response: JSONRPCResponse) async {
        enqueue(line: response.encoded(), droppable: false)
    }

    /// Queues `message`; a notification is dropped instead when the queue is full.
    func enqueue(_ message: JSONValue) {
        enqueue(line: message.encoded(), droppable: message["method"] != nil && message["id"] == nil)
    }

    /// Queues one message's JSON text, to which the line's end is added.
    private func enqueue(line bytes: consuming [UInt8], droppable: Bool) {
        bytes.append(0x0A)
        condition.lock()
        guard !broken else { return condition.unlock() }
        if queue.pendingLines == 0 && writesAtOnce(bytes) { return condition.unlock() }
        var report: String?
        switch queue.offer(bytes, droppable: droppable) {
        case .queued:
            unwritten.increment()
            condition.broadcast()
        case .dropped:
            // The first drop, then one in a thousand: a stalled client must not flood the log either.
            if reportedDrops == 0 || queue.dropped - reportedDrops >= 1000 {
                reportedDrops = queue.dropped
                report = "stdout is not being read; \(queue.dropped) notification(s) dropped so far (\(queue.pendingBytes) bytes wait; the limit is \(queue.limit))"
            }
        }
        condition.unlock()
        if let report { logger.warning("\(report)") }
    }

    func requestStarted() {
        requests.increment()
    }

    func requestEnded() {
        requests.decrement()
        onRoom()
    }

    /// Whether the stdio thread may take another line of input: not while the queue is full (until
    /// the client reads again, or `close()`) or `maximumInFlight` requests run.
    func admitsInput() -> Bool {
        condition.lock()
        let full = queue.isFull && !broken && !closed
        let (waiting, limit) = (queue.pendingBytes, queue.limit)
        let report = full && !refusingInput
        refusingInput = full
        condition.unlock()
        if report {
            logger.warning("stdout is not being read and \(waiting) bytes wait for it (the limit is \(limit)); reading no more requests until it drains")
        }
        return !full && requests.count < maximumInFlight
    }

    /// Waits up to `limit` for everything queued to be written (end of input).
    func flush(atMost limit: Duration) async {
        await unwritten.waitForZero(atMost: limit)
    }

    /// Lets the writing thread end once the queue is empty; input is admitted again whatever waits.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func writeLoop() {
        while true {
            condition.lock()
            var line = queue.next()
            while line == nil && !closed {
                condition.wait()
                line = queue.next()
            }
            condition.unlock()
            guard let line else { return }
            let complete = writeAll(line)
            condition.lock()
            queue.written(line)
            var discarded = 0
            if !complete {
                broken = true
                discarded = queue.discardAll()
            }
            condition.unlock()
            for _ in 0...discarded { unwritten.decrement() }
            onRoom()
        }
    }

    /// Writes `line` now when that cannot block: the descriptor is a pipe with room for it. Called
    /// with the lock held and nothing queued, so lines keep their order.
    private func writesAtOnce(_ line: [UInt8]) -> Bool {
        guard isPipe && line.count <= PIPE_BUF else { return false }
        if writesWithoutWaiting {
            let written = line.withUnsafeBytes { ordinaut_write_nowait(descriptor, $0.baseAddress, $0.count) }
            if written == line.count { return true }
            if written >= 0 {
                // A pipe writes a line this short whole or not at all; should it not, the rest follows.
                if !writeAll(Array(line[written...])) { broken = true }
                return true
            }
            switch Int32(-written) {
            case EAGAIN, EINTR: return false
            case EOPNOTSUPP, EINVAL, ENOSYS: writesWithoutWaiting = false
            default:
                broken = true
                return true
            }
        }
        var probe = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&probe, 1, 0) == 1 && probe.revents == Int16(POLLOUT) else { return false }
        if !writeAll(line) { broken = true }
        return true
    }

    /// Writes `line` whole; false when the descriptor fails (the reader went away).
    private func writeAll(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        // A non-blocking descriptor (set so by whoever gave it to us): wait until it takes more.
                        var probe = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&probe, 1, -1)
                        continue
                    }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
