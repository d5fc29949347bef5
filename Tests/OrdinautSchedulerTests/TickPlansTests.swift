import Foundation
import OrdinautCore
@testable import OrdinautStore
import Testing

/// The scheduler's tick reads only the tasks that have a fire time: both of its queries are served by
/// `tasks_next_run`, so a tick beside many idle or paused tasks costs what it costs alone. Without
/// statistics SQLite preferred `tasks_by_status` (every active task, then a sort).
@Suite("Scheduler tick query plans")
struct TickPlansTests {
    @Test(arguments: Backend.allCases)
    func bothTickQueriesReadTheFireTimeIndex(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let postgres = backend == .postgres
        let tick = WorkQueue.tickQueries(store.database.dialect)
        for (sql, parameters) in [(tick.due, [SQLValue.integer(1), .integer(500)]), (tick.next, [.integer(Int64.min)])] {
            let plan = try await store.database.transaction { connection throws(StoreError) -> [String] in
                if postgres {
                    try connection.execute("SET LOCAL enable_seqscan = off")
                    return try connection.execute("EXPLAIN " + sql, parameters).compactMap { $0.text(0) }
                }
                return try connection.execute("EXPLAIN QUERY PLAN " + sql, parameters).compactMap { $0.text(3) }
            }
            let reads = plan.filter { $0.contains("tasks") }
            #expect(!reads.isEmpty && reads.allSatisfy { $0.contains("tasks_next_run") }, "\(sql):\n\(plan.joined(separator: "\n"))")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.contains("Sort") }, "\(sql) sorts:\n\(plan.joined(separator: "\n"))")
        }
        await store.database.close()
    }
}
