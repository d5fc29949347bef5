import OrdinautCore
import OrdinautStore
import Synchronization
import Testing

/// One contract, two backends: every behaviour the scheduler relies on, on SQLite and PostgreSQL.
@Suite("Store contract")
struct StoreContractTests {
    @Test(arguments: Backend.allCases)
    func migrationsApplyOnceAndRecordTheirVersion(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        #expect(try await store.migrate().isEmpty)
        #expect(try await store.schemaVersion() == TaskStore.latestSchemaVersion)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func tasksRoundTripAndPageWithHasMore(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var created: [TaskRecord] = []
        for index in 0..<5 {
            var task = sampleTask(store, title: "task \(index) with 'quotes' and \"double\"; DROP TABLE tasks; --")
            task.createdAt += Int64(index)
            task.updatedAt = task.createdAt
            try await store.tasks.create(task, actor: "tests")
            created.append(task)
        }
        #expect(try await store.tasks.task(id: created[2].id) == created[2])
        let first = try await store.tasks.list(.init(limit: 3))
        #expect(first.items.map(\.id) == created.prefix(3).map(\.id))
        #expect(first.hasMore)
        let rest = try await store.tasks.list(.init(limit: 3, offset: 3))
        #expect(rest.items.count == 2 && !rest.hasMore)
        #expect(try await store.tasks.list(.init(status: .paused)).items.isEmpty)
        await #expect(throws: StoreError.self) { try await store.tasks.task(id: "no-such-task") }
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func everyDueItemIsClaimedExactlyOnceByConcurrentWorkers(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        for _ in 0..<200 { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        let seen = Box<[Int64]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    while true {
                        let claimed = try await store.queue.claim(worker: "w\(worker)", limit: 4, lease: 60_000)
                        if claimed.isEmpty { return }
                        for work in claimed {
                            seen.update { $0.append(work.dueId) }
                            try await store.queue.finish(work, outcome: .succeeded, output: ["ok": true])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let ids = seen.value
        #expect(ids.count == 200)
        #expect(Set(ids).count == 200)
        let runs = try await store.queue.runs(.init(taskId: task.id, status: .succeeded, limit: 500))
        #expect(runs.items.count == 200)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aBatchIsClaimedAndRecordedTogetherAndALostLeaseFailsOnlyItsOwnEnding(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        for _ in 0..<40 { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        let batch = try await store.queue.claim(worker: "w", limit: 30, lease: 5_000)
        #expect(batch.count == 30 && Set(batch.map(\.run.id)).count == 30)
        #expect(batch.allSatisfy { $0.run.status == .running && $0.run.rootDueId == $0.dueId })
        var endings = batch.map { WorkQueue.Ending(work: $0, outcome: .succeeded, output: ["n": 1]) }
        endings[3] = WorkQueue.Ending(work: batch[3], outcome: .failed(error: "no", retryAt: nil), output: [:])
        endings[4] = WorkQueue.Ending(work: batch[4], outcome: .failed(error: "again", retryAt: clock.now + 1_000), output: [:])
        // Another worker takes over the first item after its lease expires.
        clock.advance(seconds: 6)
        let rest = try await store.queue.claim(worker: "other", limit: 40, lease: 5_000)
        #expect(rest.count == 40)
        let results = try await store.queue.finishAll(endings)
        #expect(results.filter { if case .failure = $0 { true } else { false } }.count == 30, "every lease was lost to the other worker")
        let fresh = rest.map { WorkQueue.Ending(work: $0, outcome: .succeeded, output: [:]) }
        let recorded = try await store.queue.finishAll(fresh)
        #expect(recorded.allSatisfy { (try? $0.get())?.run.status == .succeeded })
        #expect(try await store.queue.counts().due == 0)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func mixedEndingsInOneBatchAreEachRecorded(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        for _ in 0..<12 { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        let batch = try await store.queue.claim(worker: "w", limit: 12, lease: 5_000)
        var endings = batch.map { WorkQueue.Ending(work: $0, outcome: .succeeded, output: ["ok": true]) }
        endings[0] = WorkQueue.Ending(work: batch[0], outcome: .failed(error: "dead", retryAt: nil), output: [:])
        endings[1] = WorkQueue.Ending(work: batch[1], outcome: .failed(error: "retry", retryAt: clock.now), output: [:])
        endings[2] = WorkQueue.Ending(work: batch[2], outcome: .waiting(.init(stepId: "ok", prompt: "?")), output: [:])
        let results = try await store.queue.finishAll(endings)
        #expect(results.map { (try? $0.get())?.run.status } == [.dead, .failed, .waiting] + Array(repeating: .succeeded, count: 9))
        let retry = try await store.queue.claim(worker: "w", limit: 5, lease: 5_000)
        #expect(retry.count == 1 && retry[0].run.attempt == 2 && retry[0].run.rootDueId == batch[1].dueId)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func higherPriorityIsClaimedFirstThenOlder(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let low = sampleTask(store, title: "low", priority: 2)
        let high = sampleTask(store, title: "high", priority: 9)
        try await store.tasks.create(low, actor: "tests")
        try await store.tasks.create(high, actor: "tests")
        _ = try await store.queue.enqueue(taskId: low.id, trigger: .manual, actor: "tests")
        clock.advance(seconds: 1)
        _ = try await store.queue.enqueue(taskId: high.id, trigger: .manual, actor: "tests")
        let claimed = try await store.queue.claim(worker: "w", limit: 2, lease: 1000)
        #expect(claimed.map(\.task.title) == ["high", "low"])
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func anExpiredLeaseIsTakenOverAndTheOldHolderCannotFinish(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests")
        let first = try #require(try await store.queue.claim(worker: "dead", limit: 1, lease: 5_000).first)
        #expect(try await store.queue.claim(worker: "other", limit: 1, lease: 5_000).isEmpty)
        clock.advance(seconds: 6)
        let second = try #require(try await store.queue.claim(worker: "other", limit: 1, lease: 5_000).first)
        #expect(second.run.id == first.run.id)
        #expect(second.run.takeovers == 1)
        #expect(try await store.queue.renew(first, lease: 5_000) == false)
        await #expect(throws: StoreError.self) { try await store.queue.finish(first, outcome: .succeeded, output: [:]) }
        try await store.queue.finish(second, outcome: .succeeded, output: ["by": "other"])
        let run = try await store.queue.run(id: first.run.id)
        #expect(run.status == .succeeded && run.output == ["by": "other"])
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aFailedAttemptIsRetriedAsNewDueWorkAndExhaustionDeadLetters(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let task = sampleTask(store, maxRetries: 1)
        try await store.tasks.create(task, actor: "tests")
        _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests")
        let first = try #require(try await store.queue.claim(worker: "w", limit: 1, lease: 5_000).first)
        try await store.queue.finish(first, outcome: .failed(error: "boom", retryAt: clock.now + 2_000), output: [:])
        #expect(try await store.queue.claim(worker: "w", limit: 1, lease: 5_000).isEmpty)
        clock.advance(seconds: 2)
        let second = try #require(try await store.queue.claim(worker: "w", limit: 1, lease: 5_000).first)
        #expect(second.run.attempt == 2 && second.run.trigger == .retry && second.run.id != first.run.id)
        try await store.queue.finish(second, outcome: .failed(error: "boom again", retryAt: nil), output: [:])
        let runs = try await store.queue.runs(.init(taskId: task.id))
        #expect(runs.items.map(\.status) == [.dead, .failed])
        #expect(runs.items.map(\.attempt) == [2, 1])
        #expect(try await store.queue.counts().dead == 1)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aConcurrencyKeyAllowsOneRunAtATime(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let a = sampleTask(store, title: "a", concurrencyKey: "mailbox")
        let b = sampleTask(store, title: "b", concurrencyKey: "mailbox")
        let c = sampleTask(store, title: "c")
        for task in [a, b, c] { try await store.tasks.create(task, actor: "tests") }
        for task in [a, b, c] { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        let first = try await store.queue.claim(worker: "w", limit: 10, lease: 5_000)
        #expect(first.count == 2)
        #expect(Set(first.map(\.task.title)).contains("c"))
        #expect(try await store.queue.claim(worker: "w", limit: 10, lease: 5_000).isEmpty)
        for work in first { try await store.queue.finish(work, outcome: .succeeded, output: [:]) }
        let next = try await store.queue.claim(worker: "w", limit: 10, lease: 5_000)
        #expect(next.count == 1)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aDedupeKeySuppressesDuplicatesWithinItsWindow(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let task = sampleTask(store, dedupeKey: "daily-report", dedupeWindow: 60)
        try await store.tasks.create(task, actor: "tests")
        #expect(try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") != nil)
        #expect(try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") == nil)
        clock.advance(seconds: 61)
        #expect(try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") != nil)
        let log = try await store.audit.entries(taskId: task.id)
        #expect(log.filter { $0.action == "run.deduplicated" }.count == 1)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func anEventFiresATaskOnce(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let task = sampleTask(store, kind: .event, expression: "invoice.*")
        try await store.tasks.create(task, actor: "tests")
        #expect(try await store.queue.enqueue(taskId: task.id, trigger: .event, eventId: "1-0", actor: "tests") != nil)
        #expect(try await store.queue.enqueue(taskId: task.id, trigger: .event, eventId: "1-0", actor: "tests") == nil)
        #expect(try await store.queue.enqueue(taskId: task.id, trigger: .event, eventId: "2-0", actor: "tests") != nil)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func cancellingRemovesOnlyWorkNoWorkerHolds(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests")
        let held = try #require(try await store.queue.claim(worker: "w", limit: 1, lease: 5_000).first)
        _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests")
        try await store.tasks.update(id: task.id, actor: "tests", action: "task.cancel") { task, _ in task.status = .canceled }
        #expect(try await store.queue.counts().due == 0)
        try await store.queue.finish(held, outcome: .failed(error: "x", retryAt: store.clock()), output: [:])
        #expect(try await store.queue.claim(worker: "w", limit: 5, lease: 5_000).isEmpty, "no retry for a canceled task")
        await #expect(throws: StoreError.self) { try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func dueTasksFireOnceEvenWithTwoSchedulers(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        for index in 0..<50 {
            try await store.tasks.create(sampleTask(store, title: "t\(index)", nextRunAt: clock.now - 1_000), actor: "tests")
        }
        try await store.tasks.create(sampleTask(store, title: "later", nextRunAt: clock.now + 60_000), actor: "tests")
        let plan: @Sendable (TaskRecord, Int64) -> WorkQueue.Firing = { task, _ in .init(fires: [task.nextRunAt!], next: nil) }
        async let one = store.queue.fireDueTasks(limit: 500, actor: "a", plan: plan)
        async let two = store.queue.fireDueTasks(limit: 500, actor: "b", plan: plan)
        _ = try await (one, two)
        #expect(try await store.queue.counts().due == 50)
        #expect(try await store.queue.nextFireTime() == clock.now + 60_000)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func leadershipIsExclusiveUntilItExpires(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        #expect(try await store.leadership.lead("scheduler", holder: "a", ttl: 10_000))
        #expect(try await store.leadership.lead("scheduler", holder: "b", ttl: 10_000) == false)
        #expect(try await store.leadership.lead("scheduler", holder: "a", ttl: 10_000))
        clock.advance(seconds: 11)
        #expect(try await store.leadership.lead("scheduler", holder: "b", ttl: 10_000))
        try await store.leadership.resign("scheduler", holder: "b")
        #expect(try await store.leadership.lead("scheduler", holder: "a", ttl: 10_000))
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func anApprovalParksTheRunAndAnsweringResumesOrEndsIt(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        for _ in 0..<2 { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        let works = try await store.queue.claim(worker: "w", limit: 2, lease: 5_000)
        for work in works {
            try await store.queue.finish(work, outcome: .waiting(.init(stepId: "approve", prompt: "Send it?")), output: ["steps": []])
        }
        #expect(try await store.queue.run(id: works[0].run.id).status == .waiting)
        #expect(try await store.approvals.approval(runId: works[0].run.id)?.prompt == "Send it?")
        try await store.approvals.answer(runId: works[0].run.id, approved: true, by: "alice", comment: "go")
        await #expect(throws: StoreError.self) { try await store.approvals.answer(runId: works[0].run.id, approved: true, by: "bob", comment: nil) }
        let resumed = try #require(try await store.queue.claim(worker: "w", limit: 1, lease: 5_000).first)
        #expect(resumed.run.id == works[0].run.id)
        #expect(resumed.resume?["approved"] == true && resumed.resume?["by"] == "alice")
        let rejected = try await store.approvals.answer(runId: works[1].run.id, approved: false, by: "bob", comment: "no")
        #expect(rejected.status == .canceled)
        #expect(try await store.queue.run(id: works[1].run.id).status == .canceled)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func everyChangeIsInTheAuditLog(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "alice")
        try await store.tasks.update(id: task.id, actor: "alice", action: "task.pause") { task, _ in task.status = .paused }
        try await store.tasks.update(id: task.id, actor: "bob", action: "task.resume") { task, _ in task.status = .active }
        _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "bob")
        let work = try #require(try await store.queue.claim(worker: "w", limit: 1, lease: 5_000).first)
        try await store.queue.finish(work, outcome: .succeeded, output: [:])
        let actions = try await store.audit.entries(taskId: task.id).map(\.action)
        #expect(actions == ["task.create", "task.pause", "task.resume", "run.enqueued", "run.started", "run.succeeded"])
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aRefusedChangeLeavesTheTaskAsItWas(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        let refused = try await store.tasks.update(id: task.id, actor: "tests", action: "task.update") { task, _ throws(StoreError) in
            task.title = "changed"
            throw .conflict("refused")
        }
        #expect(refused == .failure(.conflict("refused")), "the refusal comes back, apart from the database's failures")
        #expect(try await store.tasks.task(id: task.id).title == task.title)
        #expect(try await store.audit.entries(taskId: task.id).map(\.action) == ["task.create"])
        await store.database.close()
    }
}
