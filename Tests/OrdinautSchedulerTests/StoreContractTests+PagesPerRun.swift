import Foundation
import OrdinautCore
import OrdinautSQLite
import OrdinautStore
import Testing

/// Migration 7 (fewer pages written per run), on both backends: a database from before it reads
/// back the same audit trail and overview, and new audit ids stay above the old ones.
extension StoreContractTests {
    @Test(arguments: Backend.allCases)
    func migrationSevenKeepsTheAuditTrailAndTheFailureCounts(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock, schemaVersion: 6)
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        for _ in 0..<3 { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        let runs = try await store.queue.claim(worker: "w", limit: 3, lease: 60_000)
        try #require(runs.count == 3)
        try await store.queue.finish(runs[0], outcome: .failed(error: "for good", retryAt: nil), output: [:])
        try await store.queue.finish(runs[1], outcome: .failed(error: "again later", retryAt: clock.now + 60_000), output: [:])
        try await store.queue.finish(runs[2], outcome: .succeeded, output: [:])
        let since = clock.now - 3_600_000
        let trail = try await store.audit.entries(taskId: task.id)
        let overview = try await store.overview(failuresSince: since, leadership: "scheduler")
        #expect(overview.recentFailures == 2 && overview.dead == 1)

        #expect(try await store.migrate() == [7])
        #expect(try await store.audit.entries(taskId: task.id) == trail, "the audit trail reads back as it was")
        #expect(try await store.overview(failuresSince: since, leadership: "scheduler") == overview)
        clock.advance(seconds: 3_700)
        #expect(try await store.overview(failuresSince: clock.now - 3_600_000, leadership: "scheduler").recentFailures == 0)

        try await store.audit.record(actor: "tests", action: "test.after_migration", taskId: task.id)
        let after = try await store.audit.entries(taskId: task.id)
        #expect(after.dropLast() == trail[...])
        #expect(after.last!.action == "test.after_migration" && after.last!.id > trail.map(\.id).max()!,
                "a new audit line's id is above every id given before")
        if backend == .sqlite {
            let sequences = try await store.database.transaction { connection throws(StoreError) in
                try connection.execute("SELECT name FROM sqlite_sequence").compactMap { $0.text(0) }
            }
            #expect(!sequences.contains("audit_log"), "writing an audit line no longer writes a sqlite_sequence row")
        }
        await store.database.close()
    }
}

/// What a run costs SQLite's write-ahead log: each page a claim or an ending touches is one frame.
@Suite("SQLite pages per run")
struct SQLitePagesPerRunTests {
    @Test
    func aRunThatSucceedsWritesAtMostSeventeenPages() async throws {
        let path = NSTemporaryDirectory() + "ordinaut-test-\(UUID().uuidString).db"
        let database = try SQLiteDatabase(path: path)
        let store = TaskStore(database: database)
        try await store.migrate()
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        let runs = 100
        for _ in 0..<runs { _ = try await store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "tests") }
        // The log starts empty and stays below the autocheckpoint (4,000 frames), so it only grows.
        let pageSize = try await database.autocommit { connection throws(StoreError) in
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return try connection.execute("PRAGMA page_size").first?.integer(0) ?? 0
        }
        func walBytes() throws -> Int64 {
            (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.int64Value ?? 0
        }
        #expect(try walBytes() == 0)
        for _ in 0..<runs {
            let claimed = try await store.queue.claim(worker: "w", limit: 1, lease: 60_000)
            try #require(claimed.count == 1)
            try await store.queue.finish(claimed[0], outcome: .succeeded, output: [:])
        }
        let frames = Double(try walBytes() - 32) / Double(pageSize + 24)
        let perRun = frames / Double(runs)
        print("SQLite WAL frames per run (claim + succeed): \(perRun)")
        #expect(perRun <= 17.5, "each run writes \(perRun) pages (23–24 before migration 7)")
        await database.close()
    }
}
