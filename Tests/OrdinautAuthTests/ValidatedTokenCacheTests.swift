import Foundation
import Testing

@testable import OrdinautAuth

@Suite("ValidatedTokenCache: bounded, oldest out first, each entry until its expiry")
struct ValidatedTokenCacheTests {
    private func principal(_ name: String) -> Principal {
        Principal(subject: "oauth:" + name, displayName: name, scopes: .none, method: .oauth)
    }

    @Test("answers until the expiry, not after")
    func expiry() {
        var cache = ValidatedTokenCache(capacity: 4)
        let now = TestTokens.now
        cache.insert(principal("a"), for: TokenFingerprint(of: "d1"), until: now.addingTimeInterval(10), now: now)
        #expect(cache.value(for: TokenFingerprint(of: "d1"), now: now.addingTimeInterval(9.9)) == principal("a"))
        #expect(cache.value(for: TokenFingerprint(of: "d1"), now: now.addingTimeInterval(10)) == nil)
        cache.insert(principal("b"), for: TokenFingerprint(of: "d2"), until: now, now: now)
        #expect(cache.value(for: TokenFingerprint(of: "d2"), now: now) == nil)
    }

    @Test("a capacity of 0 keeps nothing")
    func disabled() {
        var cache = ValidatedTokenCache(capacity: 0)
        cache.insert(principal("a"), for: TokenFingerprint(of: "d1"), until: TestTokens.now.addingTimeInterval(10), now: TestTokens.now)
        #expect(cache.value(for: TokenFingerprint(of: "d1"), now: TestTokens.now) == nil)
    }

    @Test("holds at most capacity entries and evicts the oldest insertion")
    func eviction() {
        var cache = ValidatedTokenCache(capacity: 3)
        let now = TestTokens.now
        let later = now.addingTimeInterval(60)
        for index in 0..<3 { cache.insert(principal("p\(index)"), for: TokenFingerprint(of: "d\(index)"), until: later, now: now) }
        cache.insert(principal("p0"), for: TokenFingerprint(of: "d0"), until: later, now: now)
        cache.insert(principal("p3"), for: TokenFingerprint(of: "d3"), until: later, now: now)
        #expect(cache.count == 3)
        #expect(cache.value(for: TokenFingerprint(of: "d1"), now: now) == nil)
        #expect(cache.value(for: TokenFingerprint(of: "d0"), now: now) != nil)
        #expect(cache.value(for: TokenFingerprint(of: "d3"), now: now) != nil)
        for index in 4..<5000 { cache.insert(principal("p\(index)"), for: TokenFingerprint(of: "d\(index)"), until: later, now: now) }
        #expect(cache.count == 3)
        #expect(cache.value(for: TokenFingerprint(of: "d4999"), now: now) != nil)
    }
}
