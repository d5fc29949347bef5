import Foundation
import OrdinautCore
@testable import OrdinautStore
import Testing

/// Every list and overview query reads an index: the plans are printed (the closing note shows them)
/// and checked. SQLite's planner is asked as is; PostgreSQL's with sequential scans disabled, since
/// on a table this small it would rightly prefer one — what is checked is that an index serves.
@Suite("Listing query plans")
struct ListingPlansTests {
    static var queries: [(name: String, sql: String, parameters: [SQLValue])] {
        let sqlite = SQLDialect.sqlite
        var list: [(name: String, sql: String, parameters: [SQLValue])] = []
        func task(_ name: String, _ filter: TaskRepository.Filter) {
            let query = TaskRepository.listing(filter, dialect: sqlite)
            list.append(("tasks " + name, query.text, query.parameters))
        }
        func run(_ name: String, _ filter: WorkQueue.RunFilter) {
            let query = WorkQueue.listing(filter)
            list.append(("runs " + name, query.text, query.parameters))
        }
        let taskCursor = ListCursor.task(createdAt: 1, id: "x")
        task("(no filter)", .init())
        task("after a cursor", .init(after: taskCursor))
        task("status", .init(status: .active, after: taskCursor))
        task("schedule_kind", .init(scheduleKind: .cron, after: taskCursor))
        task("created_by", .init(createdBy: "alice", after: taskCursor))
        task("q", .init(text: "report", after: taskCursor))
        task("status+schedule_kind+q", .init(status: .active, scheduleKind: .cron, text: "report"))
        let runCursor = ListCursor.run(id: "x")
        run("(no filter)", .init())
        run("after a cursor", .init(after: runCursor))
        run("status", .init(status: .failed, after: runCursor))
        run("status succeeded", .init(status: .succeeded, after: runCursor))
        run("task_id", .init(taskId: "t", after: runCursor))
        run("task_id+status", .init(taskId: "t", status: .failed))
        run("since+until", .init(createdSince: 1, createdBefore: 2, after: runCursor))
        let overview = TaskStore.overviewQueries
        list.append(("stats backlog", overview.backlog, [.integer(1)]))
        list.append(("stats run counts", overview.statuses, []))
        list.append(("stats failures", overview.failures, [.integer(1)]))
        list.append(("stats busy workers", overview.busy, []))
        list.append(("stats leader", overview.leader, [.text("scheduler"), .integer(1)]))
        return list
    }

    @Test(arguments: Backend.allCases)
    func everyListingQueryReadsAnIndex(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let postgres = backend == .postgres
        for query in Self.queries {
            let sql = postgres ? query.sql.replacingOccurrences(of: " LIKE ", with: " ILIKE ") : query.sql
            let parameters = query.parameters
            let plan = try await store.database.transaction { connection throws(StoreError) -> [String] in
                if postgres {
                    try connection.execute("SET LOCAL enable_seqscan = off")
                    return try connection.execute("EXPLAIN " + sql, parameters).compactMap { $0.text(0) }
                }
                return try connection.execute("EXPLAIN QUERY PLAN " + sql, parameters).compactMap { $0.text(3) }
            }
            print("[\(backend.rawValue)] \(query.name): \(sql)\n    " + plan.joined(separator: "\n    "))
            for line in plan {
                if postgres {
                    #expect(!line.contains("Seq Scan"), "\(query.name): \(line)")
                } else {
                    let scansTable = line.hasPrefix("SCAN ") && !line.hasPrefix("SCAN CONSTANT")
                    #expect(!scansTable || line.contains(" USING "), "\(query.name): \(line)")
                    #expect(!line.contains("TEMP B-TREE FOR ORDER BY"), "\(query.name) sorts instead of reading in order: \(line)")
                }
            }
        }
        await store.database.close()
    }
}
