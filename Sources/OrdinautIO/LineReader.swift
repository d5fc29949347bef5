#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Reads newline-delimited messages from a file descriptor on a dedicated thread, so that waiting
/// for input blocks that thread only — never the concurrency pool, and never a polling sleep.
///
/// A line longer than `maximumLineLength` is not buffered whole: it is reported as `.tooLong` and
/// skipped up to its newline, so an endless line cannot exhaust memory.
package final class LineReader: Sendable {
    package enum Line: Sendable {
        case message([UInt8])
        case tooLong(Int)
    }

    /// The lines, in stream mode; empty and finished in callback mode.
    package let lines: AsyncStream<Line>
    private let deliver: @Sendable (Line) -> Void
    private let end: @Sendable () -> Void
    private let descriptor: Int32
    private let maximumLineLength: Int
    private let threadName: String

    /// Stream mode: lines arrive on `lines`. `beforeLine` runs on the reading thread before each
    /// line is handed over and may block it, to stop taking input while the consumer cannot keep
    /// up: what waits is then at most the lines it admitted plus one read.
    package init(descriptor: Int32, maximumLineLength: Int, threadName: String = "ordinaut-stdin",
                 beforeLine: @escaping @Sendable () -> Void = {}) {
        self.descriptor = descriptor
        self.maximumLineLength = maximumLineLength
        self.threadName = threadName
        let (lines, continuation) = AsyncStream.makeStream(of: Line.self, bufferingPolicy: .unbounded)
        self.lines = lines
        deliver = { line in
            beforeLine()
            continuation.yield(line)
        }
        end = { continuation.finish() }
    }

    /// Callback mode: `onLine` runs on the reading thread for each line — for consumers that can act
    /// at once (resuming a waiting request) and so save a hop through the concurrency pool — and
    /// `onEnd` once, at end of input or on `stop()`.
    package init(descriptor: Int32, maximumLineLength: Int, threadName: String,
                 onLine: @escaping @Sendable (Line) -> Void, onEnd: @escaping @Sendable () -> Void) {
        self.descriptor = descriptor
        self.maximumLineLength = maximumLineLength
        self.threadName = threadName
        let (lines, continuation) = AsyncStream.makeStream(of: Line.self)
        continuation.finish()
        self.lines = lines
        let ended = Mutex(false)
        deliver = { line in if !ended.withLock({ $0 }) { onLine(line) } }
        end = {
            let first = ended.withLock { done in
                defer { done = true }
                return !done
            }
            if first { onEnd() }
        }
    }

    /// Starts the reading thread; the stream finishes at end of input or on a read error.
    package func start() {
        let thread = Thread { [self] in self.readLoop() }
        thread.name = threadName
        thread.start()
    }

    /// Ends the stream now (graceful shutdown); the thread itself ends with the process or at EOF.
    package func stop() {
        end()
    }

    private func readLoop() {
        var pending: [UInt8] = []
        var skipping = 0
        let capacity = 64 * 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer, capacity)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            for i in 0..<count where buffer[i] == 0x0A {
                if skipping > 0 {
                    deliver(.tooLong(skipping + i - start))
                    skipping = 0
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: buffer + start, count: i - start))
                    emit(&pending)
                }
                start = i + 1
            }
            let rest = count - start
            if skipping > 0 {
                skipping += rest
            } else if pending.count + rest > maximumLineLength {
                skipping = pending.count + rest
                pending.removeAll()
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(start: buffer + start, count: rest))
            }
        }
        if skipping > 0 { deliver(.tooLong(skipping)) } else { emit(&pending) }
        end()
    }

    private func emit(_ pending: inout [UInt8]) {
        if pending.last == 0x0D { pending.removeLast() }
        if !pending.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { deliver(.message(pending)) }
        pending.removeAll(keepingCapacity: true)
    }
}
