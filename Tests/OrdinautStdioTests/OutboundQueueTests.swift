@testable import OrdinautStdio
import Testing

@Suite("The stdio outbound queue")
struct OutboundQueueTests {
    private func line(_ count: Int) -> [UInt8] { [UInt8](repeating: 0x61, count: count) }

    @Test func answersAreKeptPastTheLimitAndNotificationsAreNot() {
        var queue = OutboundQueue(limit: 100)
        #expect(queue.offer(line(60), droppable: true) == .queued)
        #expect(!queue.isFull)
        #expect(queue.offer(line(60), droppable: false) == .queued)
        #expect(queue.isFull)
        #expect(queue.offer(line(10), droppable: true) == .dropped)
        #expect(queue.offer(line(10), droppable: false) == .queued)
        #expect(queue.dropped == 1)
        #expect(queue.pendingBytes == 130)
        #expect(queue.pendingLines == 3)
    }

    @Test func aLineBeingWrittenStillCountsUntilItIsWritten() {
        var queue = OutboundQueue(limit: 100)
        _ = queue.offer(line(100), droppable: false)
        let first = queue.next()
        #expect(first?.count == 100)
        #expect(queue.next() == nil)
        #expect(queue.isFull, "the reader waits until the client has taken the line")
        queue.written(first!)
        #expect(!queue.isFull)
        #expect(queue.pendingBytes == 0 && queue.pendingLines == 0)
        #expect(queue.offer(line(1), droppable: true) == .queued)
    }

    @Test func linesComeOutInOrderAcrossCompaction() {
        var queue = OutboundQueue(limit: 1 << 20)
        var expected: [UInt8] = []
        var seen: [UInt8] = []
        for round in 0..<5 {
            for index in 0..<1500 {
                let value = UInt8((round * 1500 + index) % 251)
                expected.append(value)
                _ = queue.offer([value], droppable: false)
            }
            for _ in 0..<1200 {
                let next = queue.next()!
                seen.append(next[0])
                queue.written(next)
            }
        }
        while let next = queue.next() {
            seen.append(next[0])
            queue.written(next)
        }
        #expect(seen == expected)
        #expect(queue.pendingBytes == 0)
    }

    @Test func discardingForgetsQueuedLinesButNotTheOneBeingWritten() {
        var queue = OutboundQueue(limit: 10)
        for _ in 0..<4 { _ = queue.offer(line(5), droppable: false) }
        let writing = queue.next()!
        #expect(queue.discardAll() == 3)
        #expect(queue.pendingBytes == 5 && queue.pendingLines == 1)
        queue.written(writing)
        #expect(queue.pendingBytes == 0 && queue.next() == nil)
    }
}
