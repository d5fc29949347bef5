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
        try await Task.sleep(for: .milliseconds(200))
        await mailbox.send(["n": 1])
        try await Task.sleep(for: .milliseconds(50))
        mailbox.close()
        #expect(await pumping.value == true)
        let chunks = collected.chunks.withLock { $0 }
        #expect(chunks.filter { $0 == ": keep-alive\n\n" }.count >= 3, "\(chunks)")
        #expect(chunks.contains("data: {\"n\":1}\n\n"))
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
