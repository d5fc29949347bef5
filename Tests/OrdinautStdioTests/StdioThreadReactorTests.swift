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

    /// A started stdio thread over an input that stays open, and its thread's identity.
    private func started() async -> (StdioThread, UInt) {
        let thread = StdioThread(input: TestPipe().reader, maximumLineLength: 1024)
        thread.start(admits: { true }, onLine: {})
        let identity = await Task(executorPreference: thread) { currentThread() }.value
        return (thread, identity)
    }

    /// Closes `thread` and waits (at most ten seconds) until it has stopped watching: from then on it
    /// refuses. A probe it still accepts reads its own end and is dropped.
    private func close(_ thread: StdioThread) async throws {
        thread.close()
        for _ in 0..<1000 {
            let probe = TestPipe()
            probe.hangUp()
            if !thread.watch(Received().reader(of: probe)) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test(.timeLimit(.minutes(1))) func linesOfAWatchedDescriptorArriveOnTheStdioThreadUntilItsEnd() async throws {
        let (thread, identity) = await started()
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

        let (thread, _) = await started()
        try await close(thread)
        let child = TestPipe()
        let received = Received()
        #expect(!thread.watch(received.reader(of: child)))
        received.reader(of: child).start(on: thread)
        child.send("alone\n")
        child.hangUp()
        try await received.waitForEnd()
        #expect(received.lines == ["alone"], "a refused reader reads on a thread of its own")
    }

    @Test(.timeLimit(.minutes(1))) func aDescriptorStillWatchedWhenTheThreadStopsGetsAThreadOfItsOwn() async throws {
        let (thread, identity) = await started()
        let child = TestPipe()
        let received = Received()
        received.reader(of: child).start(on: thread)
        child.send("one\npar")
        for _ in 0..<1000 where received.lines.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        try await close(thread)  // the thread ends and hands the descriptor over
        child.send("tial\n")
        child.hangUp()
        try await received.waitForEnd()
        #expect(received.lines == ["one", "partial"], "the line begun before the hand-over is whole")
        // The thread handing over creates the reader's own thread while it still runs: their ids differ.
        #expect(received.threads.count == 2 && received.threads.contains(identity),
                "the stdio thread read the first line, the reader's own thread the second")
    }

    @Test(.timeLimit(.minutes(1))) func aStoppedReaderHandsOverNothingMoreButIsReadToItsEnd() async throws {
        let (thread, _) = await started()
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
