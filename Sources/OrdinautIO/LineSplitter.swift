#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into newline-delimited lines, bounded in memory: the state of a line reader,
/// without the thread or the descriptor.
///
/// Input arrives in chunks (`append`); `next()` hands out the complete lines of what has arrived,
/// one at a time, so a reader may stop taking lines when its consumer is busy and go on later from
/// where it stopped. A line longer than `maximumLineLength` is never buffered whole: it comes out as
/// `.tooLong` with its length, once its newline (or the end of input) is seen. A trailing `\r` is
/// dropped, and lines of only spaces and tabs are skipped.
package struct LineSplitter {
    package enum Line: Sendable, Equatable {
        case message([UInt8])
        case tooLong(Int)
    }

    package let maximumLineLength: Int
    /// The last chunk, split up to `cursor`.
    private var chunk: [UInt8] = []
    private var cursor = 0
    /// The start of a line whose newline has not arrived yet.
    private var partial: [UInt8] = []
    /// The length so far of an overlong line being skipped; 0 when none is.
    private var skipping = 0

    package init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    /// Whether every line of the appended input has been taken: only then may more be appended.
    package var isDrained: Bool { cursor == chunk.count }

    /// Adds a chunk of input. Call it only when `isDrained`.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(isDrained, "append only after every line of the previous chunk was taken")
        chunk.removeAll(keepingCapacity: true)
        chunk.append(contentsOf: bytes)
        cursor = 0
    }

    /// The next complete line of the input appended so far; nil when more input is needed.
    package mutating func next() -> Line? {
        while cursor < chunk.count {
            guard let newline = newline(from: cursor) else {
                keepRest()
                return nil
            }
            let start = cursor
            cursor = newline + 1
            if skipping > 0 {
                defer { skipping = 0 }
                return .tooLong(skipping + newline - start)
            }
            let length = partial.count + newline - start
            if length > maximumLineLength {
                partial.removeAll(keepingCapacity: true)
                return .tooLong(length)
            }
            if partial.isEmpty {
                if let line = Self.message(chunk, start..<newline) { return line }
            } else {
                partial.append(contentsOf: chunk[start..<newline])
                if let line = takePartial() { return line }
            }
        }
        return nil
    }

    /// The index of the first newline of the chunk at or after `start`.
    private func newline(from start: Int) -> Int? {
        chunk.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress, let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
            return UnsafeRawPointer(found) - base
        }
    }

    /// The unterminated last line, at end of input.
    package mutating func finish() -> Line? {
        keepRest()
        if skipping > 0 {
            defer { skipping = 0 }
            return .tooLong(skipping)
        }
        return takePartial()
    }

    /// Moves what is left of the chunk into the partial line, or into the skipped length once the
    /// line has grown past the limit.
    private mutating func keepRest() {
        let rest = chunk.count - cursor
        cursor = chunk.count
        guard rest > 0 else { return }
        if skipping > 0 {
            skipping += rest
        } else if partial.count + rest > maximumLineLength {
            skipping = partial.count + rest
            partial.removeAll(keepingCapacity: true)
        } else {
            partial.append(contentsOf: chunk[(chunk.count - rest)...])
        }
    }

    /// The partial line as a message, unless it is blank; the partial line is empty afterwards.
    private mutating func takePartial() -> Line? {
        defer { partial.removeAll(keepingCapacity: true) }
        return Self.message(partial, partial.indices)
    }

    /// `bytes[range]` without a trailing `\r` as a message, or nil when that leaves only spaces and tabs.
    private static func message(_ bytes: [UInt8], _ range: Range<Int>) -> Line? {
        var end = range.upperBound
        if end > range.lowerBound && bytes[end - 1] == 0x0D { end -= 1 }
        var index = range.lowerBound
        while index < end && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        return index == end ? nil : .message(Array(bytes[range.lowerBound..<end]))
    }
}
