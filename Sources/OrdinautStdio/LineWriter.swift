#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrdinautCore
import OrdinautMCP
import Synchronization

/// Writes one JSON message per line to a file descriptor, whole lines only, one writer at a time.
///
/// The write happens on the calling task under a lock: a line is small next to the pipe buffer, and a
/// client that reads its stdout never makes it wait, so a writer thread would only add two context
/// switches per message. A client that stops reading stalls only itself.
final class LineWriter: MessageSink {
    private let descriptor: Int32
    private let lock = Mutex(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func send(_ message: JSONValue) async {
        var bytes = message.encoded()
        bytes.append(0x0A)
        write(bytes)
    }

    func write(_ bytes: [UInt8]) {
        lock.withLock { broken in
            guard !broken else { return }
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR || errno == EAGAIN { continue }
                        broken = true
                        return
                    }
                    offset += written
                }
            }
        }
    }
}
