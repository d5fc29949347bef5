import Crypto
import Foundation
import OrdinautAuth
import OrdinautCore
import Testing

@Suite("KeySetCache: single-flight, rate-limited refetch, stale keys beat no keys")
struct KeySetCacheTests {
    static let jwksURL = "https://auth.example.com/jwks"

    private func document(kids: [String]) throws -> [UInt8] {
        TestTokens.keySetDocument(try kids.map { try TestSigningKey.ed25519(Curve25519.Signing.PrivateKey()).jwk(kid: $0) })
    }

    private func makeCache(_ fetcher: InMemoryOAuthFetcher, _ clock: TestClock) throws -> KeySetCache {
        KeySetCache(url: try OAuthURL(parsing: Self.jwksURL, setting: "test"), fetcher: fetcher, clock: clock.closure)
    }

    private func kids(_ result: Result<JSONWebKeySet, TokenRejection>) -> [String?]? {
        guard case .success(let set) = result else { return nil }
        return set.keys.map(\.keyID)
    }

    @Test("concurrent first callers share one fetch")
    func firstFetchIsShared() async throws {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1"]))
        fetcher.hold(Self.jwksURL)
        let cache = try makeCache(fetcher, clock)
        let results = await withTaskGroup(of: [String?]?.self) { group in
            for _ in 0..<8 { group.addTask { await self.kids(cache.keys()) } }
            await fetcher.waitForRequests(to: Self.jwksURL, count: 1)
            try? await Task.sleep(for: .milliseconds(20))
            fetcher.release(Self.jwksURL)
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == ["k1"] })
        #expect(fetcher.count(Self.jwksURL) == 1)
    }

    @Test("an unknown kid refetches once and finds a rotated key")
    func rotation() async throws {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        fetcher.serve(Self.jwksURL, body: try document(kids: ["old"]))
        let cache = try makeCache(fetcher, clock)
        #expect(await cache.key(for: "old") != nil)
        fetcher.serve(Self.jwksURL, body: try document(kids: ["old", "new"]))
        clock.advance(seconds: 11)
        #expect(await cache.key(for: "new")?.keyID == "new")
        #expect(fetcher.count(Self.jwksURL) == 2)
        #expect(await cache.key(for: "new") != nil)
        #expect(fetcher.count(Self.jwksURL) == 2)
    }

    @Test("unknown kids within 10 s of the last fetch cause no further fetch")
    func unknownKidsAreRateLimited() async throws {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1"]))
        let cache = try makeCache(fetcher, clock)
        _ = await cache.keys()
        clock.advance(seconds: 30)
        #expect(await cache.key(for: "made-up-1") == nil)
        #expect(fetcher.count(Self.jwksURL) == 2)
        for second in 1...9 {
            clock.advance(seconds: 1)
            #expect(await cache.key(for: "made-up-\(second)") == nil)
        }
        #expect(fetcher.count(Self.jwksURL) == 2)
        clock.advance(seconds: 1)
        #expect(await cache.key(for: "made-up-10") == nil)
        #expect(fetcher.count(Self.jwksURL) == 3)
    }

    @Test("concurrent callers with unknown kids share one refetch")
    func unknownKidRefetchIsShared() async throws {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1"]))
        let cache = try makeCache(fetcher, clock)
        _ = await cache.keys()
        clock.advance(seconds: 11)
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1", "k2"]))
        fetcher.hold(Self.jwksURL)
        let found = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 { group.addTask { await cache.key(for: "k2") != nil } }
            await fetcher.waitForRequests(to: Self.jwksURL, count: 2)
            try? await Task.sleep(for: .milliseconds(20))
            fetcher.release(Self.jwksURL)
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(found == Array(repeating: true, count: 6))
        #expect(fetcher.count(Self.jwksURL) == 2)
    }

    @Test("a key set server that is down or serves garbage leaves the cached keys in use")
    func keepsKeysWhenRefreshFails() async throws {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1"]))
        let cache = try makeCache(fetcher, clock)
        #expect(kids(await cache.keys()) == ["k1"])

        fetcher.fail(Self.jwksURL, "connection refused")
        clock.advance(seconds: 601)
        #expect(kids(await cache.keys()) == ["k1"])
        await fetcher.waitForRequests(to: Self.jwksURL, count: 2)
        #expect(kids(await cache.keysAfterUnknownKey()) == ["k1"])
        #expect(await cache.problem?.contains("connection refused") == true)

        fetcher.serve(Self.jwksURL, body: Array("<html>maintenance</html>".utf8))
        clock.advance(seconds: 11)
        #expect(kids(await cache.keysAfterUnknownKey()) == ["k1"])
        #expect(await cache.problem?.contains("not valid JSON") == true)

        fetcher.serve(Self.jwksURL, status: 503, body: [])
        clock.advance(seconds: 11)
        #expect(kids(await cache.keysAfterUnknownKey()) == ["k1"])
        #expect(await cache.problem?.contains("HTTP 503") == true)
        #expect(fetcher.count(Self.jwksURL) == 4)
    }

    @Test("without any keys a failing fetch is unavailable, retried at most once per 10 s")
    func unavailableWithoutKeys() async throws {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        fetcher.fail(Self.jwksURL, "timed out")
        let cache = try makeCache(fetcher, clock)
        guard case .failure(let first) = await cache.keys() else {
            Issue.record("no keys must be unavailable")
            return
        }
        #expect(first.kind == .unavailable && first.reason.contains("timed out"))
        clock.advance(seconds: 5)
        guard case .failure(let second) = await cache.keysAfterUnknownKey() else {
            Issue.record("no keys must be unavailable")
            return
        }
        #expect(second.kind == .unavailable)
        #expect(fetcher.count(Self.jwksURL) == 1)
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1"]))
        clock.advance(seconds: 5)
        #expect(kids(await cache.keys()) == ["k1"])
        #expect(fetcher.count(Self.jwksURL) == 2)
        #expect(await cache.problem == nil)
    }

    @Test("a slow background refresh does not delay callers whose keys are cached")
    func staleRefreshDoesNotBlock() async throws {
        let fetcher = InMemoryOAuthFetcher()
        let clock = TestClock()
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1"]))
        let cache = try makeCache(fetcher, clock)
        _ = await cache.keys()
        let firstFetch = await cache.fetchedAt
        fetcher.serve(Self.jwksURL, body: try document(kids: ["k1", "k2"]))
        fetcher.hold(Self.jwksURL)
        clock.advance(seconds: 601)

        let answered = await withTaskGroup(of: [String?]?.self) { group in
            group.addTask {
                let first = await self.kids(cache.keys())
                let second = await self.kids(cache.keys())
                return first == ["k1"] && second == ["k1"] ? ["k1"] : nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return nil
            }
            let winner = await group.next() ?? nil
            group.cancelAll()
            fetcher.release(Self.jwksURL)
            return winner
        }
        #expect(answered == ["k1"], "callers with cached keys waited for the held refresh")
        await fetcher.waitForRequests(to: Self.jwksURL, count: 2)
        for _ in 0..<1000 where await cache.fetchedAt == firstFetch {
            try? await Task.sleep(for: .milliseconds(1))
        }
        #expect(kids(await cache.keys()) == ["k1", "k2"])
        #expect(fetcher.count(Self.jwksURL) == 2)
    }
}
