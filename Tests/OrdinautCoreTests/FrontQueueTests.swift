import OrdinautCore
import Testing

@Suite("Front queue")
struct FrontQueueTests {
    @Test func removesInArrivalOrderThroughEveryCompaction() {
        var queue = FrontQueue<Int>()
        var expected: [Int] = []
        for value in 0..<2_000 {
            queue.append(value)
            expected.append(value)
            // Keep between 1 and 5 elements, removing in bursts, so compactions happen at many sizes.
            if value % 7 == 6 || expected.count > 5 {
                while expected.count > 1 {
                    #expect(queue.removeFirst() == expected.removeFirst())
                }
            }
            #expect(queue.count == expected.count)
            #expect(queue.first == expected.first)
            #expect(Array(queue.elements) == expected)
        }
    }

    @Test func anEmptiedQueueIsEmptyAndTakesMore() {
        var queue = FrontQueue<String>()
        #expect(queue.isEmpty && queue.first == nil && Array(queue.elements).isEmpty)
        queue.append("a")
        #expect(queue.removeFirst() == "a")
        #expect(queue.isEmpty && queue.first == nil)
        queue.append("b")
        #expect(Array(queue.elements) == ["b"])
    }

    @Test func aRemovedElementIsReleasedAtOnce() {
        final class Token {}
        var queue = FrontQueue<Token>()
        weak var released: Token?
        do {
            let token = Token()
            released = token
            queue.append(token)
            queue.append(Token())
            queue.append(Token())
        }
        queue.removeFirst()
        // Two remain, so the slot is not compacted yet: the element must be gone all the same.
        #expect(queue.count == 2)
        #expect(released == nil)
    }
}
