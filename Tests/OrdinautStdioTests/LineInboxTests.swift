import OrdinautIO
@testable import OrdinautStdio
import Testing

@Suite("The stdio thread's inbox of lines")
struct LineInboxTests {
    private func line(_ text: String) -> LineSplitter.Line { .message(Array(text.utf8)) }

    @Test func bufferedLinesComeOutInOrderThenTheEnd() async {
        let inbox = LineInbox()
        for text in ["a", "b", "c"] { inbox.yield(line(text)) }
        inbox.finish()
        inbox.yield(line("after the end"))
        var received: [LineSplitter.Line] = []
        for await line in inbox { received.append(line) }
        #expect(received == [line("a"), line("b"), line("c")])
    }

    @Test func aWaitingConsumerGetsTheNextLine() async {
        let inbox = LineInbox()
        let consumer = Task { await inbox.next() }
        // The consumer may or may not wait yet when the line comes; either way it gets it, once.
        await Task.yield()
        inbox.yield(line("x"))
        #expect(await consumer.value == line("x"))
        inbox.finish()
        #expect(await inbox.next() == nil)
    }

    @Test func cancellingTheConsumerEndsItsWait() async {
        let inbox = LineInbox()
        let consumer = Task { () -> Int in
            var received = 0
            for await _ in inbox { received += 1 }
            return received
        }
        await Task.yield()
        consumer.cancel()
        // The bound only ends a hung test: without cancellation the consumer would wait forever.
        let ended = await withTaskGroup(of: Int?.self) { group in
            group.addTask { await consumer.value }
            group.addTask { try? await Task.sleep(for: .seconds(30)); return nil }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        #expect(ended == 0)
    }

    @Test func manyLinesFromAnotherThreadArriveWholeAndInOrder() async {
        let inbox = LineInbox()
        let count = 10_000
        let producer = Task.detached {
            for index in 0..<count { inbox.yield(.message(Array(String(index).utf8))) }
            inbox.finish()
        }
        var expected = 0
        for await line in inbox {
            #expect(line == .message(Array(String(expected).utf8)))
            expected += 1
        }
        await producer.value
        #expect(expected == count)
    }
}
