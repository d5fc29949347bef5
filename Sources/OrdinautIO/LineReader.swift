#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Reads newline-delimited messages from a file descriptor on a dedicated thread, or on a
/// `LineReactor`'s, so that waiting for input blocks that thread only — never the concurrency pool,
/// and never a polling sleep.
///
/// Each line is handed to `onLine` on the reading thread, for consumers that can act at once
/// (resuming a waiting request, logging) and so save a hop through the concurrency pool. Lines are
/// split by `LineSplitter`, so an endless line cannot exhaust memory.
package final class LineReader: Sendable {
    package typealias Line = LineSplitter.Line

    private let deliver: @Sendable (Line) -> Void
    private let end: @Sendable () -> Void
    package let descriptor: Int32
    package let maximumLineLength: Int
    private let threadName: String

    /// `onLine` runs on the reading thread for each line, and `onEnd` once, at end of input or on `stop()`.
    package init(descriptor: Int32, maximumLineLength: Int, threadName: String,
                 onLine: @escaping @Sendable (Line) -> Void, onEnd: @escaping @Sendable () -> Void) {
        self.descriptor = descriptor
        self.maximumLineLength = maximumLineLength
        self.threadName = threadName
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

    /// Starts reading on `reactor` when one is given and still runs, otherwise on a thread of its
    /// own. Reading ends at end of input or on a read error.
    package func start(on reactor: (any LineReactor)? = nil) {
        if let reactor, reactor.watch(self) { return }
        readOnThread(continuing: LineSplitter(maximumLineLength: maximumLineLength))
    }

    /// Goes on reading on a thread of its own from where `splitter` stopped (a reactor that stops).
    package func readOnThread(continuing splitter: LineSplitter) {
        let thread = Thread { [self] in self.readLoop(splitter) }
        thread.name = threadName
        thread.start()
    }

    /// Delivers no more lines and calls `onEnd` now; reading itself goes on, discarding, until end of
    /// input (or the process ends).
    package func stop() {
        end()
    }

    /// Hands one line to `onLine` unless stopped: for the thread that reads.
    package func take(_ line: Line) {
        deliver(line)
    }

    /// Input ended: calls `onEnd` unless it was called already. For the thread that reads.
    package func finish() {
        end()
    }

    private func readLoop(_ splitter: LineSplitter) {
        var splitter = splitter
        while let line = splitter.next() { deliver(line) }
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, capacity)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            splitter.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            while let line = splitter.next() { deliver(line) }
        }
        if let last = splitter.finish() { deliver(last) }
        end()
    }
}
