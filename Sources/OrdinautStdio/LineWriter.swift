#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import OrdinautCore
import OrdinautMCP

/// Writes one JSON message per line to a file descriptor from a thread of its own, through a queue
/// bounded in bytes (`OutboundQueue`).
///
/// `send` only queues, so no task of the concurrency pool ever waits on the client: a client that
/// stops reading its stdout stalls this thread alone, while the scheduler, HTTP and extensions keep
/// running. Before each read the reader calls `waitForRoom`, which holds the stdin thread while the
/// queue is full (until the client reads again, or hangs up) or `maximumInFlight` requests are being
/// handled, so a client's further requests wait in its own pipe: what it can make us hold is the
/// queue's limit, plus the answers of at most `maximumInFlight` requests, plus one read of input.
///
/// The state is guarded by `condition` (a lock the two threads also wait on), hence `@unchecked`.
final class LineWriter: MessageSink, @unchecked Sendable {
    private let descriptor: Int32
    private let maximumInFlight: Int
    private let logger: Logger
    private let condition = NSCondition()
    private var queue: OutboundQueue
    private var broken = false
    private var closed = false
    private var reportedDrops = 0
    /// Lines not yet written, for `flush`.
    private let unwritten = Tally()
    /// Requests being handled (`requestStarted`, `requestEnded`).
    let requests = Tally()

    init(descriptor: Int32, limit: Int, maximumInFlight: Int, logger: Logger) {
        self.descriptor = descriptor
        self.maximumInFlight = maximumInFlight
        self.logger = logger
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

    /// Queues `message`; a notification is dropped instead when the queue is full.
    func enqueue(_ message: JSONValue) {
        var bytes = message.encoded()
        bytes.append(0x0A)
        let droppable = message["method"] != nil && message["id"] == nil
        condition.lock()
        guard !broken else { return condition.unlock() }
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
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the calling thread (the stdin reader) while the queue is full or `maximumInFlight`
    /// requests run, until that changes, `input` hangs up (then what is left in its pipe is read to
    /// its end), or `close()`.
    func waitForRoom(input: Int32) {
        condition.lock()
        if queue.isFull && !broken && !closed {
            let (waiting, limit) = (queue.pendingBytes, queue.limit)
            condition.unlock()
            logger.warning("stdout is not being read and \(waiting) bytes wait for it (the limit is \(limit)); reading no more requests until it drains")
            condition.lock()
        }
        defer { condition.unlock() }
        while (queue.isFull || requests.count >= maximumInFlight) && !broken && !closed {
            var probe = pollfd(fd: input, events: 0, revents: 0)
            if poll(&probe, 1, 0) > 0 && probe.revents & Int16(POLLHUP | POLLERR) != 0 { return }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
        }
    }

    /// Waits up to `limit` for everything queued to be written (end of input).
    func flush(atMost limit: Duration) async {
        await unwritten.waitForZero(atMost: limit)
    }

    /// Lets the writing thread end once the queue is empty, and releases a waiting reader.
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
            condition.broadcast()
            condition.unlock()
            for _ in 0...discarded { unwritten.decrement() }
        }
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
