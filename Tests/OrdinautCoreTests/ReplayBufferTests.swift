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
}
