@testable import OrdinautScheduler
import Synchronization
import Testing

/// The worker pool's bookkeeping of claimed runs, as the state machine it is.
@Suite struct RunningWorkTests {
    /// Counts the cancellations of each execution.
    final class Cancellations: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        func cancel(_ name: String) -> @Sendable () -> Void { { self.counts.withLock { $0[name, default: 0] += 1 } } }
        subscript(_ name: String) -> Int { counts.withLock { $0[name] ?? 0 } }
    }

    @Test func aRunClaimedTwiceByItsOwnNodeKeepsBothExecutionsApart() {
        let cancelled = Cancellations()
        var running = RunningWork<String>()
        running.claimed("run 1, first execution", token: "a", cancel: cancelled.cancel("a"))
        running.claimed("run 1, second execution", token: "b", cancel: cancelled.cancel("b"))
        #expect(running.count == 2)
        // The first claim's renewal finds the lease gone: it, not the second, is cancelled.
        let (failure, cancel) = running.renewalFailed("a")
        #expect(failure == .lost)
        cancel?()
        #expect(cancelled["a"] == 1 && cancelled["b"] == 0)
        #expect(running.toRenew.map(\.token) == ["b"])
        // The first ends: nothing to record; it leaves and the second stays.
        #expect(running.ending("a") == .abandon)
        running.ended("a")
        #expect(running.count == 1)
        #expect(running.toRenew.map(\.work) == ["run 1, second execution"])
        #expect(running.ending("b") == .record)
    }

    @Test func aRenewalThatMeetsTheRunsOwnEndingLosesNothing() {
        let cancelled = Cancellations()
        var running = RunningWork<String>()
        running.claimed("run", token: "a", cancel: cancelled.cancel("a"))
        // The renewal was sent, then the run ended and was recorded, deleting its due item.
        #expect(running.ending("a") == .record)
        #expect(running.renewalFailed("a").0 == .ended)
        running.ended("a")
        #expect(running.renewalFailed("a").0 == .ended)
        #expect(cancelled["a"] == 0)
    }

    @Test func aRunBeingRecordedKeepsItsLease() {
        var running = RunningWork<String>()
        running.claimed("run", token: "a") {}
        _ = running.ending("a")
        #expect(running.toRenew.map(\.token) == ["a"], "recording is retried while the store is down; the lease must last")
    }

    @Test func stoppingHandsBackWhatStillExecutes() {
        let cancelled = Cancellations()
        var running = RunningWork<String>()
        running.claimed("executing", token: "a", cancel: cancelled.cancel("a"))
        running.claimed("being recorded", token: "b", cancel: cancelled.cancel("b"))
        #expect(running.ending("b") == .record)
        for cancel in running.releaseAll() { cancel() }
        #expect(cancelled["a"] == 1 && cancelled["b"] == 0)
        #expect(running.ending("a") == .release)
    }
}
