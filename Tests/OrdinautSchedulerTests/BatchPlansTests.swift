import Foundation
import OrdinautCore
@testable import OrdinautStore
import Testing

/// PostgreSQL cannot see into the JSON that carries a batch (it guesses 100 rows), so the claim and
/// the ending name their rows again as arrays: each then reads the rows it touches by key instead of
/// all of `due_work` per claim and per ending, however long the queue.
@Suite("Batch statement plans (PostgreSQL)")
struct BatchPlansTests {
    @Test func claimAndEndingReadTheirRowsByKey() async throws {
        let store = try await Backend.postgres.makeStore()
        let task = sampleTask(store)
        try await store.tasks.create(task, actor: "tests")
        try await store.database.transaction { connection throws(StoreError) in
            try connection.execute(
                """
                INSERT INTO due_work (task_id, run_at, priority, attempt, trigger_kind, context, created_at)
                SELECT $1, 0, 5, 1, 'manual', '{}', 0 FROM generate_series(1, 5000)
                """, .text(task.id))
            try connection.execute(
                """
                INSERT INTO runs (id, task_id, attempt, trigger_kind, status, created_at, output, context, takeovers)
                SELECT 'r' || n, $1, 1, 'manual', 'succeeded', 0, '{}', '{}', 0 FROM generate_series(1, 5000) AS n
                """, .text(task.id))
        }
        try await store.database.autocommit { connection throws(StoreError) in
            try connection.execute("ANALYZE due_work")
            try connection.execute("ANALYZE runs")
        }
        let claim = JSONValue.array([["due_id": 7, "token": "w/1", "run_id": "new", "task_id": .string(task.id), "attempt": 1,
                                      "trigger_kind": "manual", "context": "{}", "root": 7, "details": "{}"]])
        let ending = JSONValue.array([["due_id": 7, "lease": "w/1", "status": "succeeded", "error": nil, "output": "{}", "run_id": "r7",
                                       "actor": "w", "action": "run.succeeded", "task_id": .string(task.id), "details": "{}", "ord": 0]])
        let statements: [(String, String, [SQLValue])] = [
            ("claim", WorkQueue.claimFreshStatement,
             [.text(claim.encodedString()), .integer(1), .integer(1), .text("w"), SQLValue(postgresArray: [Int64(7)])]),
            ("ending", WorkQueue.finishFinalStatement,
             [.text(ending.encodedString()), .integer(1), .integer(0), SQLValue(postgresArray: [Int64(7)]), SQLValue(postgresArray: ["r7"])]),
        ]
        for (name, sql, parameters) in statements {
            let plan = try await store.database.transaction { connection throws(StoreError) -> [String] in
                try connection.execute("EXPLAIN " + sql, parameters).compactMap { $0.text(0) }
            }
            // `due_work d` is the claim's lock and the ending's delete; PostgreSQL names a second use of the
            // alias `d_1` (the ending's clearing of a stopped task's queue, which reads by task and runs
            // only when the ending stops a task).
            let scans = plan.filter { $0.contains("Seq Scan on due_work d ") || $0.contains("Seq Scan on runs") }
            #expect(scans.isEmpty, "\(name) scans a table:\n\(plan.joined(separator: "\n"))")
        }
        await store.database.close()
    }
}
