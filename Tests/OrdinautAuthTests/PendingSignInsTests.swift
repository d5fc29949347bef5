import OrdinautAuth
import Testing

@Suite("Pending OAuth sign-ins")
struct PendingSignInsTests {
    /// The table behind a reference, so that `#expect` can call its mutating methods.
    final class Table {
        typealias Pending = PendingSignIns<Int>.Pending
        var table: PendingSignIns<Int>
        init(capacity: Int) { table = PendingSignIns(capacity: capacity) }
        var count: Int { table.count }
        func add(state: String, _ pending: Pending, binding: String, until: Int, now: Int) -> Bool {
            table.add(state: state, pending, binding: binding, until: until, now: now)
        }
        func take(state: String, binding: String?, now: Int) -> Result<Pending, PendingSignIns<Int>.Refusal> {
            table.take(state: state, binding: binding, now: now)
        }
    }

    let pending = Table.Pending(verifier: "verifier-1", returnPath: "/ext/webui/")

    @Test func aSignInComesBackOnceWithItsBinding() {
        let table = Table(capacity: 4)
        #expect(table.add(state: "s1", pending, binding: "b1", until: 100, now: 0))
        #expect(table.take(state: "s1", binding: "b1", now: 50) == .success(pending))
        // Single use: the same state again is unknown.
        #expect(table.take(state: "s1", binding: "b1", now: 51) == .failure(.unknownState))
    }

    @Test func aStateNeverIssuedIsUnknown() {
        let table = Table(capacity: 4)
        #expect(table.add(state: "s1", pending, binding: "b1", until: 100, now: 0))
        #expect(table.take(state: "forged", binding: "b1", now: 1) == .failure(.unknownState))
        #expect(table.take(state: "", binding: nil, now: 1) == .failure(.unknownState))
    }

    @Test func anotherBrowsersCallbackIsRefusedAndEndsTheSignIn() {
        let table = Table(capacity: 4)
        #expect(table.add(state: "s1", pending, binding: "b1", until: 100, now: 0))
        #expect(table.take(state: "s1", binding: "b2", now: 1) == .failure(.bindingMismatch))
        // The attempt used the state up: the rightful browser must start again.
        #expect(table.take(state: "s1", binding: "b1", now: 2) == .failure(.unknownState))
        #expect(table.add(state: "s2", pending, binding: "b1", until: 100, now: 0))
        #expect(table.take(state: "s2", binding: nil, now: 1) == .failure(.bindingMismatch))
    }

    @Test func aSignInEndsAtItsExpiry() {
        let table = Table(capacity: 4)
        #expect(table.add(state: "s1", pending, binding: "b1", until: 100, now: 0))
        #expect(table.take(state: "s1", binding: "b1", now: 100) == .failure(.unknownState))
    }

    @Test func whenFullANewSignInIsRefusedUntilOneEndsOrExpires() {
        let table = Table(capacity: 2)
        #expect(table.add(state: "s1", pending, binding: "b", until: 100, now: 0))
        #expect(table.add(state: "s2", pending, binding: "b", until: 110, now: 10))
        // Full: refused, and the sign-ins in progress are kept.
        #expect(!table.add(state: "s3", pending, binding: "b", until: 120, now: 20))
        #expect(table.count == 2)
        // One taken makes room.
        #expect(table.take(state: "s2", binding: "b", now: 21) == .success(pending))
        #expect(table.add(state: "s3", pending, binding: "b", until: 121, now: 21))
        #expect(!table.add(state: "s4", pending, binding: "b", until: 122, now: 22))
        // One expired makes room too, and is gone.
        #expect(table.add(state: "s4", pending, binding: "b", until: 200, now: 100))
        #expect(table.take(state: "s1", binding: "b", now: 100) == .failure(.unknownState))
        #expect(table.take(state: "s3", binding: "b", now: 101) == .success(pending))
    }

    @Test func aStateInUseIsNotReplaced() {
        let table = Table(capacity: 4)
        #expect(table.add(state: "s1", pending, binding: "b1", until: 100, now: 0))
        #expect(!table.add(state: "s1", .init(verifier: "other", returnPath: "/"), binding: "b2", until: 100, now: 1))
        #expect(table.take(state: "s1", binding: "b1", now: 2) == .success(pending))
    }

    @Test func manySignInsOverTimeStayBounded() {
        let table = Table(capacity: 3)
        for step in 0..<1000 {
            #expect(table.add(state: "s\(step)", pending, binding: "b", until: step + 5, now: step))
            if step % 2 == 0 { _ = table.take(state: "s\(step)", binding: "b", now: step) }
            #expect(table.count <= 3)
        }
    }
}
