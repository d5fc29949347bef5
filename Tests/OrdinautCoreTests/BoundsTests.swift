import OrdinautCore
import Testing

@Suite("Measuring values and bounded caches")
struct BoundsTests {
    @Test func measureCountsSharedPartsAsEncodingWould() {
        let leaf: JSONValue = ["name": "x", "n": 1]
        var value = leaf
        for _ in 0..<10 { value = [value, value] }
        guard case .fits(let bytes) = value.measure(limit: 1 << 20) else {
            Issue.record("1024 small leaves fit in 1 MiB")
            return
        }
        #expect(bytes >= leaf.encoded().count * 1024)
        #expect(bytes < 40 * 1024 * 2)
    }

    @Test func measureStopsEarlyOnValuesLargerThanMemory() {
        // 2⁶⁰ leaves logically; a full walk would never end.
        var value: JSONValue = "leaf"
        for _ in 0..<60 { value = [value, value] }
        #expect(value.measure(limit: 1 << 20, maximumDepth: 100) == .tooLarge)
        #expect(value.measure(limit: 1 << 20, maximumDepth: 10) == .tooDeep)
    }

    @Test func measureAgreesWithTheEncodingWithinEscapes() {
        let value: JSONValue = ["a": [1, 2.5, true, nil, "text"], "b": ["c": "d"]]
        guard case .fits(let bytes) = value.measure(limit: 10_000) else { return #expect(Bool(false)) }
        #expect(bytes >= value.encoded().count)
        #expect(bytes <= value.encoded().count * 2)
    }

    @Test func lruEvictsTheLeastRecentlyUsedByCountAndCost() {
        var cache = LRUCache<String, Int>(countLimit: 3, costLimit: 100)
        cache.insert(1, for: "a", cost: 10)
        cache.insert(2, for: "b", cost: 10)
        cache.insert(3, for: "c", cost: 10)
        #expect(cache.value(for: "a") == 1)  // a is now the most recent
        cache.insert(4, for: "d", cost: 10)  // evicts b
        #expect(cache.value(for: "b") == nil)
        #expect(cache.count == 3)
        cache.insert(5, for: "e", cost: 85)  // needs room for 85: evicts c and a, then d
        #expect(cache.value(for: "c") == nil)
        #expect(cache.totalCost <= 100)
        #expect(cache.value(for: "e") == 5)
        cache.insert(6, for: "huge", cost: 101)
        #expect(cache.value(for: "huge") == nil)
        cache.insert(7, for: "e", cost: 5)
        #expect(cache.value(for: "e") == 7)
        #expect(cache.totalCost == cache.count * 0 + (cache.value(for: "d") == nil ? 5 : 15))
    }

    @Test func lruStaysConsistentUnderChurn() {
        var cache = LRUCache<Int, Int>(countLimit: 50, costLimit: 1000)
        var generator = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            let key = Int.random(in: 0..<200, using: &generator)
            if step % 3 == 0 {
                _ = cache.value(for: key)
            } else {
                cache.insert(key, for: key, cost: Int.random(in: 1...60, using: &generator))
            }
            #expect(cache.count <= 50)
            #expect(cache.totalCost <= 1000)
        }
    }
}
