#if canImport(Glibc)
import Glibc
#endif
import OrdinautIO
import Testing

/// A pipe whose reading end the code under test reads; the test writes the other end.
final class TestPipe: Sendable {
    let reader: Int32
    let writer: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0)
        (reader, writer) = (ends[0], ends[1])
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == bytes.count)
    }

    func hangUp() { close(writer) }

    deinit { close(reader) }
}

func text(_ line: LineSplitter.Line) -> String {
    guard case .message(let bytes) = line else { return "(too long)" }
    return String(decoding: bytes, as: UTF8.self)
}

func currentThread() -> UInt {
    UInt(pthread_self())
}
