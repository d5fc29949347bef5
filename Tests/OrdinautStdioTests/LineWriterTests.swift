#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import OrdinautCore
@testable import OrdinautStdio
import Testing

@Suite("Writing lines to stdout")
struct LineWriterTests {
    /// Reads `count` lines from `descriptor`, blocking; the lines in the order they came.
    private func readLines(_ descriptor: Int32, count: Int) -> [String] {
        var lines: [String] = []
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while lines.count < count {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard got > 0 else { break }
            pending += buffer[..<got]
            while let end = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[..<end], as: UTF8.self))
                pending.removeSubrange(...end)
            }
        }
        return lines
    }

    /// A client that reads nothing: answers go into the pipe while it has room and then into the
    /// queue, and the sender never blocks on the client. Once the client reads, every line arrives,
    /// in order. (Were the direct write to block on a full pipe, `enqueue` would never return.)
    @Test func aFullPipeQueuesInsteadOfBlockingAndKeepsTheOrder() async throws {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let writer = LineWriter(descriptor: ends[1], limit: 4 << 20, maximumInFlight: 16, logger: Logger(label: "test"), onRoom: {})
        writer.start()
        let padding = String(repeating: "x", count: 300)
        let count = 1000  // 300 KB: several times what a pipe holds
        let sent = Task.detached {
            for index in 0..<count {
                writer.enqueue(["jsonrpc": "2.0", "id": .number(Double(index)), "result": ["text": .string(padding)]])
            }
        }
        // The bound only ends a hung test: the sends take milliseconds.
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await sent.value; return true }
            group.addTask { try? await Task.sleep(for: .seconds(30)); return false }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        #expect(finished, "enqueue blocked on a client that does not read")
        let lines = readLines(ends[0], count: count)
        #expect(lines.count == count)
        for (index, line) in lines.enumerated() {
            let message = try JSONParser().parse(Array(line.utf8))
            #expect(message["id"] == .number(Double(index)))
        }
        writer.close()
        close(ends[1])
    }
}
