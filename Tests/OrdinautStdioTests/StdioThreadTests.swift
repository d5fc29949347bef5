#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OrdinautIO
@testable import OrdinautStdio
import Synchronization
import Testing

@Suite("The stdio thread")
struct StdioThreadTests {
    @Test func tasksThatPreferItRunOnItAndLinesArriveInOrder() async {
        let input = TestPipe()
        let thread = StdioThread(input: input.reader, maximumLineLength: 1024)
        let taken = Atomic(0)
        let reader = Atomic<UInt>(0)
        thread.start(admits: { true }, onLine: {
            taken.add(1, ordering: .relaxed)
            reader.store(currentThread(), ordering: .relaxed)
        })
        input.send("a\nb\n")
        input.hangUp()
        let (lines, names) = await withTaskExecutorPreference(thread) {
            var lines: [String] = []
            var names: Set<UInt> = []
            for await line in thread.lines {
                lines.append(text(line))
                names.insert(currentThread())
                await Task.yield()
                names.insert(currentThread())
            }
            return (lines, names)
        }
        thread.close()
        #expect(lines == ["a", "b"])
        #expect(names == [reader.load(ordering: .relaxed)], "every step of the consuming task ran on the thread that read")
        #expect(taken.load(ordering: .relaxed) == 2)
    }

    @Test func noLineIsTakenWithoutRoomUntilWoken() async throws {
        let input = TestPipe()
        let thread = StdioThread(input: input.reader, maximumLineLength: 1024)
        let room = Atomic(1)
        thread.start(admits: { room.load(ordering: .relaxed) > 0 }, onLine: { room.subtract(1, ordering: .relaxed) })
        input.send("1\n2\n3\n")
        var iterator = thread.lines.makeAsyncIterator()
        #expect(await iterator.next().map(text) == "1")
        let second = Task { await iterator.next().map(text) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(room.load(ordering: .relaxed) == 0, "the second line waits in the read while there is no room")
        room.store(1, ordering: .relaxed)
        thread.wake()
        #expect(await second.value == "2")
        thread.stopInput()
        thread.close()
    }

    @Test func aClientThatHangsUpHasTheRestOfItsInputReadWithoutRoom() async {
        let input = TestPipe()
        let thread = StdioThread(input: input.reader, maximumLineLength: 1024)
        thread.start(admits: { false }, onLine: {})
        input.send("x\ny\n")
        input.hangUp()
        var lines: [String] = []
        for await line in thread.lines { lines.append(text(line)) }
        #expect(lines == ["x", "y"])
        thread.close()
    }

    /// Input is still read while a task on the thread never stops yielding (each batch of jobs is
    /// followed by a look at the input, put off at most one batch after a read).
    @Test(.timeLimit(.minutes(1))) func aTaskThatKeepsYieldingDoesNotStarveTheInput() async throws {
        let input = TestPipe()
        let thread = StdioThread(input: input.reader, maximumLineLength: 1024)
        thread.start(admits: { true }, onLine: {})
        let spinning = Atomic(true)
        let spinner = Task(executorPreference: thread) {
            while spinning.load(ordering: .relaxed) { await Task.yield() }
        }
        var iterator = thread.lines.makeAsyncIterator()
        for index in 0..<20 {
            input.send("\(index)\n")
            #expect(await iterator.next().map(text) == "\(index)")
        }
        spinning.store(false, ordering: .relaxed)
        await spinner.value
        thread.stopInput()
        thread.close()
    }

    @Test func jobsAfterCloseStillRun() async throws {
        let input = TestPipe()
        let thread = StdioThread(input: input.reader, maximumLineLength: 1024)
        thread.start(admits: { true }, onLine: {})
        thread.close()
        try await Task.sleep(for: .milliseconds(100))  // the thread ends: it has no job
        let ran = await withTaskGroup(of: Int?.self) { group in
            group.addTask(executorPreference: thread) { 42 }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        #expect(ran == 42, "a job enqueued after the thread ended runs on a new one")
    }
}
