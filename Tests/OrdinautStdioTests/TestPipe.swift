#if canImport(Glibc)
import Glibc
#endif
import OrdinautIO
import Testing

/// A pipe whose reading end the code under test reads; the test writes the other end.
///
/// The reading end is never closed: a thread under test may still poll it after its test ended (a
/// stdio thread ends some time after `close()`), and a closed descriptor's number goes to the next
/// pipe another test opens, whose bytes that thread would then take. A test run leaks one
/// descriptor per pipe.
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
}

func text(_ line: LineSplitter.Line) -> String {
    guard case .message(let bytes) = line else { return "(too long)" }
    return String(decoding: bytes, as: UTF8.self)
}

/// The running thread's identity, while it runs (an ended thread's goes to the next one).
func currentThread() -> UInt {
    UInt(pthread_self())
}
