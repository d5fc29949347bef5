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
/// Each line is handed to `onLine` on the reading thread, for consumers that can act at once
/// (resuming a waiting request, logging) and so save a hop through the concurrency pool. Lines are
/// split by `LineSplitter`, so an endless line cannot exhaust memory.
package final class LineReader: Sendable {
    package typealias Line = LineSplitter.Line

    private let deliver: @Sendable (Line) -> Void
    private let end: @Sendable () -> Void
    private let descriptor: Int32
    private let maximumLineLength: Int
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

    /// Starts the reading thread; it ends at end of input or on a read error.
    package func start() {
        let thread = Thread { [self] in self.readLoop() }
        thread.name = threadName
        thread.start()
    }

    /// Delivers no more lines and calls `onEnd` now; the thread itself ends with the process or at EOF.
    package func stop() {
        end()
    }

    private func readLoop() {
        var splitter = LineSplitter(maximumLineLength: maximumLineLength)
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
