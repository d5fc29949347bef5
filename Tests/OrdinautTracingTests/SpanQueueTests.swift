import Testing
@testable import OrdinautTracing

@Suite struct SpanQueueTests {
    @Test func aFullQueueDropsAndCountsInsteadOfGrowing() {
        var queue = SpanQueue(capacity: 3)
        for index in 0..<5 { queue.append(finishedSpan("s\(index)")) }
        #expect(queue.count == 3)
        #expect(queue.takeDropped() == 2)
        #expect(queue.takeDropped() == 0, "the count resets once reported")
        #expect(queue.take(2).map(\.name) == ["s0", "s1"], "oldest first; the newest were the ones dropped")
        let kept = queue.append(finishedSpan("s5"))
        #expect(kept, "taking makes room again")
        #expect(queue.take(10).map(\.name) == ["s2", "s5"])
        #expect(queue.count == 0)
    }
}
