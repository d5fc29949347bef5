#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrdinautIO

/// The descriptors the stdio thread reads for others (`LineReactor`), each with its own place in its
/// input. Only that thread touches it.
struct WatchedLines {
    private var readers: [LineReader] = []
    private var splitters: [LineSplitter] = []

    var isEmpty: Bool { readers.isEmpty }

    mutating func adopt(_ new: [LineReader]) {
        for reader in new {
            readers.append(reader)
            splitters.append(LineSplitter(maximumLineLength: reader.maximumLineLength))
        }
    }

    /// Adds one `poll` probe per descriptor, in the order `read(ready:into:)` expects them.
    func addProbes(to probes: inout [pollfd]) {
        for reader in readers { probes.append(pollfd(fd: reader.descriptor, events: Int16(POLLIN), revents: 0)) }
    }

    /// Reads once from each descriptor whose probe is ready and hands over its complete lines; a
    /// descriptor at end of input (or failing) hands over its last line and its end, and is dropped.
    mutating func read(ready probes: ArraySlice<pollfd>, into buffer: UnsafeMutableRawBufferPointer) {
        var ended: [Int] = []
        for (index, probe) in zip(readers.indices, probes) where probe.revents != 0 {
            let count = Glibc.read(probe.fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                splitters[index].append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                while let line = splitters[index].next() { readers[index].take(line) }
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                if let last = splitters[index].finish() { readers[index].take(last) }
                readers[index].finish()
                ended.append(index)
            }
        }
        for index in ended.reversed() {
            readers.remove(at: index)
            splitters.remove(at: index)
        }
    }

    /// Gives every descriptor still read a reading thread of its own, from where it stopped.
    mutating func handOver() {
        for (reader, splitter) in zip(readers, splitters) { reader.readOnThread(continuing: splitter) }
        readers.removeAll()
        splitters.removeAll()
    }
}
