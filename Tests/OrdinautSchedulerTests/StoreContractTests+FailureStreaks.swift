import OrdinautCore
import OrdinautStore
import Testing

/// A task stopped by errors (migration 6), on both backends: the count of dead runs in a row moves
/// with each ending, in the ending's own transaction or statement, and the ending that reaches the
/// limit pauses the task once.
extension StoreContractTests {
    /// Enqueues and claims `count` runs of `task`, each held by its own worker.
    private func claimRuns(_ store: TaskStore, _ task: TaskRecord, count: Int) async throws -> [ClaimedWork] {
        for _ in 0..<count { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        let claimed = try await store.queue.claim(worker: "w", limit: count, lease: 60_000)
        #expect(claimed.count == count)
        return claimed
    }

    private static let dead = WorkQueue.Outcome.failed(error: "boom", retryAt: nil)

    @Test(arguments: Backend.allCases)
    func deadRunsCountUpASuccessResetsAndTheLimitStopsTheTaskOnce(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var task = sampleTask(store)
        task.maxConsecutiveFailures = 3
        try await store.tasks.create(task, actor: "tests")
        let runs = try await claimRuns(store, task, count: 7)
        #expect(try await store.queue.finish(runs[0], outcome: Self.dead, output: [:]).stop == nil)
        #expect(try await store.queue.finish(runs[1], outcome: Self.dead, output: [:]).stop == nil)
        #expect(try await store.tasks.task(id: task.id).consecutiveFailures == 2)
        try await store.queue.finish(runs[2], outcome: .succeeded, output: [:])
        #expect(try await store.tasks.task(id: task.id).consecutiveFailures == 0, "a success starts the count again")
        try await store.queue.finish(runs[3], outcome: .canceled(reason: "no"), output: [:])
        try await store.queue.finish(runs[4], outcome: Self.dead, output: [:])
        try await store.queue.finish(runs[5], outcome: Self.dead, output: [:])
        _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests")
        let stopping = try await store.queue.finish(runs[6], outcome: Self.dead, output: [:])
        let stop = try #require(stopping.stop)
        #expect(stop.taskId == task.id && stop.consecutiveFailures == 3 && stop.limit == 3)
        let stopped = try await store.tasks.task(id: task.id)
        #expect(stopped.status == .paused && stopped.pausedReason == .failures && stopped.stoppedByRun == runs[6].run.id)
        #expect(stopped.consecutiveFailures == 3)
        #expect(try await store.queue.claim(worker: "w", limit: 5, lease: 60_000).isEmpty, "the stop removes the task's queued work")
        let audit = try await store.audit.entries(taskId: task.id).filter { $0.action == "task.stopped" }
        #expect(audit.count == 1 && audit.first?.runId == runs[6].run.id)
        #expect(audit.first?.details["consecutive_failures"] == 3 && audit.first?.details["error"] == "boom")
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aRunThatDiesAfterTheStopCountsButDoesNotStopAgain(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var task = sampleTask(store)
        task.maxConsecutiveFailures = 1
        try await store.tasks.create(task, actor: "tests")
        let runs = try await claimRuns(store, task, count: 2)
        #expect(try await store.queue.finish(runs[0], outcome: Self.dead, output: [:]).stop?.consecutiveFailures == 1)
        #expect(try await store.queue.finish(runs[1], outcome: Self.dead, output: [:]).stop == nil)
        let stopped = try await store.tasks.task(id: task.id)
        #expect(stopped.consecutiveFailures == 2 && stopped.stoppedByRun == runs[0].run.id)
        #expect(try await store.audit.entries(taskId: task.id).filter { $0.action == "task.stopped" }.count == 1)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func theServersDefaultAppliesOnlyToTasksThatSetNoLimit(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let unset = sampleTask(store, title: "default")
        var own = sampleTask(store, title: "own")
        own.maxConsecutiveFailures = 5
        try await store.tasks.create(unset, actor: "tests")
        try await store.tasks.create(own, actor: "tests")
        for task in [unset, own] {
            let runs = try await claimRuns(store, task, count: 2)
            for work in runs { try await store.queue.finish(work, outcome: Self.dead, output: [:], failureLimit: 2) }
        }
        #expect(try await store.tasks.task(id: unset.id).pausedReason == .failures)
        #expect(try await store.tasks.task(id: own.id).status == .active)
        let never = sampleTask(store, title: "no limit anywhere")
        try await store.tasks.create(never, actor: "tests")
        for work in try await claimRuns(store, never, count: 3) { try await store.queue.finish(work, outcome: Self.dead, output: [:]) }
        let kept = try await store.tasks.task(id: never.id)
        #expect(kept.status == .active && kept.consecutiveFailures == 3, "with no limit the count moves and nothing stops")
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func concurrentEndingsOfOneTaskLoseNoCountAndStopItOnce(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var task = sampleTask(store)
        task.maxConsecutiveFailures = 25
        try await store.tasks.create(task, actor: "tests")
        let runs = try await claimRuns(store, task, count: 40)
        let stops = Box<[WorkQueue.TaskStop]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for work in runs {
                group.addTask {
                    if let stop = try await store.queue.finish(work, outcome: Self.dead, output: [:]).stop { stops.update { $0.append(stop) } }
                }
            }
            try await group.waitForAll()
        }
        #expect(stops.value.map { [$0.taskId, "\($0.consecutiveFailures)", "\($0.limit)"] } == [[task.id, "25", "25"]])
        let stopped = try await store.tasks.task(id: task.id)
        #expect(stopped.consecutiveFailures == 40 && stopped.status == .paused)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aBatchOfEndingsCountsInItsOrder(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var reset = sampleTask(store, title: "reset in the batch")
        reset.maxConsecutiveFailures = 2
        var stopping = sampleTask(store, title: "stopped in the batch")
        stopping.maxConsecutiveFailures = 2
        try await store.tasks.create(reset, actor: "tests")
        try await store.tasks.create(stopping, actor: "tests")
        let first = try await claimRuns(store, reset, count: 3)
        let second = try await claimRuns(store, stopping, count: 3)
        let endings = [
            WorkQueue.Ending(work: first[0], outcome: Self.dead, output: [:]),
            WorkQueue.Ending(work: second[0], outcome: Self.dead, output: [:]),
            WorkQueue.Ending(work: first[1], outcome: .succeeded, output: [:]),
            WorkQueue.Ending(work: second[1], outcome: Self.dead, output: [:]),
            WorkQueue.Ending(work: first[2], outcome: Self.dead, output: [:]),
            WorkQueue.Ending(work: second[2], outcome: Self.dead, output: [:]),
        ]
        let results = try await store.queue.finishAll(endings).map { try $0.get() }
        #expect(results.map { $0.stop != nil } == [false, false, false, true, false, false], "the second dead run in a row stops it")
        #expect(results[3].stop?.consecutiveFailures == 2)
        let counted = try await store.tasks.task(id: reset.id)
        #expect(counted.consecutiveFailures == 1 && counted.status == .active)
        let stopped = try await store.tasks.task(id: stopping.id)
        #expect(stopped.consecutiveFailures == 3 && stopped.status == .paused && stopped.stoppedByRun == second[1].run.id)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func migrationSixStartsExistingTasksWithNoFailuresAndNoLimit(_ backend: Backend) async throws {
        let store = try await backend.makeStore(schemaVersion: 5)
        let old = sampleTask(store, title: "from before failure limits")
        let count = 22
        let columns = TaskRows.columns.split(separator: ",").prefix(count).joined(separator: ",")
        try await store.database.transaction { connection throws(StoreError) in
            try connection.execute("INSERT INTO tasks (\(columns)) VALUES (\((1...count).map { "$\($0)" }.joined(separator: ", ")))",
                                   Array(TaskRows.parameters(of: old).prefix(count)))
        }
        #expect(try await store.migrate(upTo: 6) == [6])
        let read = try await store.tasks.task(id: old.id)
        #expect(read == old && read.maxConsecutiveFailures == nil && read.consecutiveFailures == 0 && read.pausedReason == nil)
        await store.database.close()
    }
}
