#if canImport(Glibc)
import Glibc
#endif
import OrdinautIO
@testable import OrdinautStdio
import Synchronization
import Testing

@Suite("The stdio thread as a line reactor")
struct StdioThreadReactorTests {
    /// What a reader handed over, and on which threads.
    private final class Received: Sendable {
        private struct State {
            var lines: [String] = []
            var threads: Set<UInt> = []
            var ended = false
        }

        private let state = Mutex(State())

        var lines: [String] { state.withLock { $0.lines } }
        var threads: Set<UInt> { state.withLock { $0.threads } }
        var ended: Bool { state.withLock { $0.ended } }

        func reader(of pipe: TestPipe) -> LineReader {
            LineReader(descriptor: pipe.reader, maximumLineLength: 16, threadName: "test-reader", onLine: { line in
                self.state.withLock { state in
                    state.lines.append(text(line))
                    state.threads.insert(currentThread())
                }
            }, onEnd: {
                self.state.withLock { $0.ended = true }
            })
        }

        /// Waits (at most ten seconds) until the reader's input ended.
        func waitForEnd() async throws {
            for _ in 0..<1000 where !ended { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// A started stdio thread, its input (open while the caller holds it: a descriptor closed under
    /// the thread would be reused by the next pipe), and its thread's identity.
    private func started() async -> (StdioThread, TestPipe, UInt) {
        let input = TestPipe()
        let thread = StdioThread(input: input.reader, maximumLineLength: 1024)
        thread.start(admits: { true }, onLine: {})
        let identity = await Task(executorPreference: thread) { currentThread() }.value
        return (thread, input, identity)
    }

    @Test(.timeLimit(.minutes(1))) func linesOfAWatchedDescriptorArriveOnTheStdioThreadUntilItsEnd() async throws {
        let (thread, input, identity) = await started()
        defer { withExtendedLifetime(input) {} }
        let child = TestPipe()
        let received = Received()
        received.reader(of: child).start(on: thread)
        child.send("first\nsec")
        child.send("ond\n\(String(repeating: "x", count: 40))\nlast")
        child.hangUp()
        try await received.waitForEnd()
        #expect(received.ended)
        #expect(received.lines == ["first", "second", "(too long)", "last"])
        #expect(received.threads == [identity], "the thread that reads stdin read them")
        thread.close()
    }

    @Test func aThreadNotStartedOrStoppedRefusesToWatch() async throws {
        let unread = TestPipe()
        let idle = StdioThread(input: unread.reader, maximumLineLength: 1024)
        #expect(!idle.watch(Received().reader(of: unread)))

        let (thread, input, identity) = await started()
        defer { withExtendedLifetime(input) {} }
        thread.close()
        try await Task.sleep(for: .milliseconds(100))  // the thread ends: it has no job
        let child = TestPipe()
        let received = Received()
        #expect(!thread.watch(received.reader(of: child)))
        received.reader(of: child).start(on: thread)
        child.send("alone\n")
        child.hangUp()
        try await received.waitForEnd()
        #expect(received.lines == ["alone"], "a refused reader reads on a thread of its own")
        #expect(!received.threads.contains(identity))
    }

    @Test(.timeLimit(.minutes(1))) func aDescriptorStillWatchedWhenTheThreadStopsGetsAThreadOfItsOwn() async throws {
        let (thread, input, identity) = await started()
        defer { withExtendedLifetime(input) {} }
        let child = TestPipe()
        let received = Received()
        received.reader(of: child).start(on: thread)
        child.send("one\npar")
        for _ in 0..<1000 where received.lines.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        thread.close()
        try await Task.sleep(for: .milliseconds(100))  // the thread ends and hands the descriptor over
        child.send("tial\n")
        child.hangUp()
        try await received.waitForEnd()
        #expect(received.lines == ["one", "partial"], "the line begun before the hand-over is whole")
        #expect(received.threads.count == 2 && received.threads.contains(identity))
    }

    @Test(.timeLimit(.minutes(1))) func aStoppedReaderHandsOverNothingMoreButIsReadToItsEnd() async throws {
        let (thread, input, _) = await started()
        defer { withExtendedLifetime(input) {} }
        let child = TestPipe()
        let received = Received()
        let reader = received.reader(of: child)
        reader.start(on: thread)
        reader.stop()
        #expect(received.ended, "stop() ends the reader at once")
        child.send(String(repeating: "y\n", count: 40_000))  // more than the pipe holds: it is read, or this blocks
        child.hangUp()
        #expect(received.lines.isEmpty)
        thread.close()
    }
}
