import OrdinautCore
@testable import OrdinautStore
import Testing

/// Listings page by keyset with filters, and the overview counts what it says, on both backends.
@Suite("Store contract: listings and the overview")
struct ListingContractTests {
    @Test(arguments: Backend.allCases)
    func taskPagesFollowTheirCursorWithoutRepeatsAndFiltersCombine(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var created: [TaskRecord] = []
        for index in 0..<7 {
            var task = sampleTask(store, title: index % 2 == 0 ? "Nightly REPORT \(index)" : "backup \(index)")
            // Three share a creation time: the id breaks the tie.
            task.createdAt += Int64(min(index, 3))
            task.description = index == 5 ? "sends the 50%_off report" : nil
            if index == 6 { task.status = .paused }
            try await store.createTask(task, actor: "tests")
            created.append(task)
        }
        let order = created.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.id)
        var seen: [String] = []
        var cursor: ListCursor?
        for _ in 0..<10 {
            let page = try await store.tasks(.init(after: cursor, limit: 2))
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            #expect(page.hasMore == (cursor != nil))
            if cursor == nil { break }
        }
        #expect(seen == order)
        #expect(try await store.tasks(.init(text: "report")).items.map(\.title) == ["Nightly REPORT 0", "Nightly REPORT 2", "Nightly REPORT 4", "backup 5", "Nightly REPORT 6"])
        #expect(try await store.tasks(.init(text: "50%_")).items.map(\.title) == ["backup 5"])
        #expect(try await store.tasks(.init(text: "5_%")).items.isEmpty, "wildcards in the text are literal")
        #expect(try await store.tasks(.init(status: .paused, text: "report")).items.map(\.title) == ["Nightly REPORT 6"])
        let filtered = try await store.tasks(.init(status: .active, text: "report", limit: 2))
        #expect(filtered.items.count == 2)
        let next = try await store.tasks(.init(status: .active, text: "report", after: filtered.nextCursor, limit: 2))
        #expect(next.items.map(\.title) == ["Nightly REPORT 4", "backup 5"] && next.nextCursor == nil)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func runPagesGoNewestFirstAndTimeBoundsFilter(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let task = sampleTask(store)
        try await store.createTask(task, actor: "tests")
        var runIDs: [String] = []
        for _ in 0..<5 {
            _ = try await store.enqueue(taskId: task.id, trigger: .manual, actor: "tests")
            let work = try await store.claim(worker: "w", limit: 1, lease: 60_000)
            try await store.finish(work[0], outcome: .succeeded, output: [:])
            runIDs.append(work[0].run.id)
            clock.advance(seconds: 60)
        }
        let first = try await store.runs(.init(taskId: task.id, limit: 3))
        #expect(first.items.map(\.id) == Array(runIDs.reversed().prefix(3)))
        let second = try await store.runs(.init(taskId: task.id, after: first.nextCursor, limit: 3))
        #expect(second.items.map(\.id) == Array(runIDs.reversed().suffix(2)) && second.nextCursor == nil)
        let start = TestClock().now
        let middle = try await store.runs(.init(createdSince: start + 60_000, createdBefore: start + 180_000))
        #expect(middle.items.map(\.id) == [runIDs[2], runIDs[1]])
        #expect(try await store.runs(.init(status: .failed)).items.isEmpty)
        await store.database.close()
    }

    @Test func cursorsRoundTripAndForeignTokensAreRefused() {
        let task = ListCursor.task(createdAt: 1_735_689_600_123, id: "0193f1c2-aaaa-7bbb-8ccc-123456789abc")
        #expect(ListCursor(token: task.token, kind: "task") == task)
        #expect(ListCursor(token: task.token, kind: "run") == nil)
        let run = ListCursor.run(id: "0193f1c2-aaaa-7bbb-8ccc-123456789abc")
        #expect(ListCursor(token: run.token, kind: "run") == run)
        for garbage in ["", "!!!", "dA", "t.x.y", String(repeating: "A", count: 300), "dC4xLg", "ci4"] {
            #expect(ListCursor(token: garbage, kind: "task") == nil && ListCursor(token: garbage, kind: "run") == nil, "\(garbage)")
        }
    }

    @Test(arguments: Backend.allCases)
    func theOverviewCountsBacklogFailuresWorkersAndTheLeader(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let task = sampleTask(store, maxRetries: 0)
        try await store.createTask(task, actor: "tests")
        let start = clock.now
        var overview = try await store.overview(failuresSince: start - 3_600_000, leadership: "scheduler")
        #expect(overview.due == 0 && overview.oldestDueAt == nil && overview.leader == nil && overview.workersAlive == 0)
        _ = try await store.enqueue(taskId: task.id, runAt: start - 5_000, trigger: .manual, actor: "tests")
        _ = try await store.enqueue(taskId: task.id, runAt: start - 1_000, trigger: .manual, actor: "tests")
        _ = try await store.enqueue(taskId: task.id, runAt: start + 60_000, trigger: .manual, actor: "tests")
        try await store.heartbeat(worker: "node-a", hostname: "a", startedAt: start)
        #expect(try await store.lead("scheduler", holder: "node-a", ttl: 30_000))
        overview = try await store.overview(failuresSince: start - 3_600_000, leadership: "scheduler")
        #expect(overview.due == 2 && overview.oldestDueAt == start - 5_000)
        #expect(overview.workersAlive == 1 && overview.leader == "node-a" && overview.workersBusy == 0)
        let claimed = try await store.claim(worker: "node-a", limit: 1, lease: 60_000)
        overview = try await store.overview(failuresSince: start - 3_600_000, leadership: "scheduler")
        #expect(overview.due == 1 && overview.workersBusy == 1 && overview.running == 1)
        try await store.finish(claimed[0], outcome: .failed(error: "boom", retryAt: nil), output: [:])
        overview = try await store.overview(failuresSince: start - 3_600_000, leadership: "scheduler")
        #expect(overview.recentFailures == 1 && overview.dead == 1 && overview.workersBusy == 0)
        clock.advance(seconds: 3_700)
        overview = try await store.overview(failuresSince: clock.now - 3_600_000, leadership: "scheduler")
        #expect(overview.recentFailures == 0, "an hour later the failure is no longer recent")
        #expect(overview.workersAlive == 0 && overview.leader == nil, "a silent node is not alive and its lease expired")
        await store.database.close()
    }
}
