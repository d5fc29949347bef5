import Hummingbird
import NIOCore
import OrdinautCore
import OrdinautMCP
import Synchronization
import Testing
@testable import OrdinautHTTP

/// Collects what a stream writes.
private struct CollectingWriter: ResponseBodyWriter {
    let written: Collected

    final class Collected: Sendable {
        let chunks = Mutex<[String]>([])
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        written.chunks.withLock { $0.append(String(buffer: buffer)) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

@Suite("SSE stream pump")
struct StreamPumpTests {
    @Test func idleStreamsGetKeepAlivesAndMessagesGoThroughUntilClosed() async throws {
        let mailbox = Mailbox()
        let collected = CollectingWriter.Collected()
        let pumping = Task {
            var writer: any ResponseBodyWriter = CollectingWriter(written: collected)
            return await MCPHTTPEndpoint.pump(mailbox, into: &writer, keepAlive: .milliseconds(40)) { message in
                ByteBuffer(string: "data: \(message.encodedString())\n\n")
            }
        }
        // Waits for what must happen, however slowly the machine runs; no timing is asserted.
        func written(_ predicate: ([String]) -> Bool) async throws {
            while !collected.chunks.withLock({ predicate($0) }) { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await written { $0.filter { $0 == ": keep-alive\n\n" }.count >= 3 }
        await mailbox.send(["n": 1])
        try await written { $0.contains("data: {\"n\":1}\n\n") }
        mailbox.close()
        #expect(await pumping.value == true)
    }

    @Test func anUnwantedStreamEndsAtTheNextInterruption() async throws {
        let mailbox = Mailbox()
        let wanted = Mutex(true)
        let collected = CollectingWriter.Collected()
        let pumping = Task {
            var writer: any ResponseBodyWriter = CollectingWriter(written: collected)
            return await MCPHTTPEndpoint.pump(mailbox, into: &writer, keepAlive: .seconds(60),
                                              stillWanted: { wanted.withLock { $0 } }) { _ in ByteBuffer() }
        }
        try await Task.sleep(for: .milliseconds(50))
        wanted.withLock { $0 = false }
        mailbox.interrupt()
        #expect(await pumping.value == false)
    }
}
