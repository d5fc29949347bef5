import OrdinautCore
import Testing

@Suite("Replay buffer")
struct ReplayBufferTests {
    @Test func keepsTheLatestWithinCountAndBytes() {
        var buffer = ReplayBuffer(countLimit: 100, byteLimit: 10_000)
        for id in 1...50 { buffer.append(id: id, message: .string(String(repeating: "m", count: 998))) }
        #expect(buffer.bytes <= 10_000)
        #expect(buffer.count == 10)
        #expect(buffer.after(0).map(\.id) == Array(41...50))
        #expect(buffer.after(45).map(\.id) == [46, 47, 48, 49, 50])
    }

    @Test func aMessageLargerThanTheBudgetIsNotKeptAndDropsNothing() {
        var buffer = ReplayBuffer(countLimit: 10, byteLimit: 1000)
        buffer.append(id: 1, message: "small")
        buffer.append(id: 2, message: .string(String(repeating: "x", count: 5000)))
        #expect(buffer.after(0).map(\.id) == [1])
    }

    @Test func countStillBounds() {
        var buffer = ReplayBuffer(countLimit: 3, byteLimit: 1 << 20)
        for id in 1...10 { buffer.append(id: id, message: .integer(Int64(id))) }
        #expect(buffer.after(0).map(\.id) == [8, 9, 10])
        var none = ReplayBuffer(countLimit: 0, byteLimit: 1 << 20)
        none.append(id: 1, message: 1)
        #expect(none.count == 0)
    }

    @Test func aLongStreamKeepsExactlyTheLatestThroughEveryCompaction() {
        var buffer = ReplayBuffer(countLimit: 7, byteLimit: 1 << 20)
        for id in 1...5_000 {
            buffer.append(id: id, message: .integer(Int64(id)))
            let kept = Array(max(1, id - 6)...id)
            #expect(buffer.count == kept.count)
            #expect(buffer.oldestID == kept.first)
            #expect(buffer.after(0).map(\.id) == kept)
            #expect(buffer.after(id - 2).map(\.message) == kept.suffix(2).map { .integer(Int64($0)) })
        }
    }

    @Test func bytesStayWithinTheBudgetAsMessagesOfMixedSizesComeAndGo() {
        var buffer = ReplayBuffer(countLimit: 1000, byteLimit: 5_000)
        var sizes: [Int: Int] = [:]
        for id in 1...3_000 {
            let text = String(repeating: "x", count: (id * 37) % 900)
            buffer.append(id: id, message: .string(text))
            sizes[id] = text.utf8.count
            #expect(buffer.bytes <= 5_000)
            let kept = buffer.after(0).map(\.id)
            // The kept ones are the newest, contiguous, and the next older one would not have fitted.
            #expect(kept.last == id && kept == Array(kept.first!...id))
        }
        #expect(ReplayBuffer(countLimit: 1, byteLimit: 10).oldestID == nil)
    }
}
