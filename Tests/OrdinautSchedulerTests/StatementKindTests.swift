@testable import OrdinautStore
import Testing

/// The metrics label of a statement: its verb and first table, read from the text as bytes.
@Suite("Statement kind")
struct StatementKindTests {
    @Test(arguments: [
        ("SELECT id, title FROM tasks WHERE id = $1", "select tasks"),
        ("select count(*) from due_work", "select due_work"),
        ("DELETE FROM due_work WHERE id = ANY($1::bigint[])", "delete due_work"),
        ("INSERT INTO runs(id, task_id) VALUES ($1, $2)", "insert runs"),
        ("insert\ninto audit_log (at, actor) values ($1, $2)", "insert audit_log"),
        ("UPDATE tasks SET status = $1", "update tasks"),
        ("  update\n  runs set x = 1", "update runs"),
        ("WITH claimed AS (SELECT 1) SELECT * FROM claimed", "with"),
        ("BEGIN IMMEDIATE", "transaction"),
        ("COMMIT", "transaction"),
        ("rollback", "transaction"),
        ("PRAGMA journal_mode = WAL", "other"),
        ("", "other"),
        (" \n(,", "other"),
    ])
    func labelsTheVerbAndTheFirstTable(sql: String, kind: String) {
        #expect(StatementKind.of(sql) == kind)
    }

    @Test func aTableThatIsNotANameLeavesTheVerbAlone() {
        #expect(StatementKind.of("SELECT * FROM \"quoted\"") == "select")
        #expect(StatementKind.of("SELECT * FROM tasks2") == "select")
        #expect(StatementKind.of("SELECT * FROM " + String(repeating: "t", count: 41)) == "select")
        #expect(StatementKind.of("SELECT * FROM tâches") == "select")
        #expect(StatementKind.of("SELECT 1") == "select")
        #expect(StatementKind.of("INSERT INTO") == "insert")
    }

    @Test func theTableIsLookedForOnlyNearTheStart() {
        let columns = (0..<70).map { "c\($0)" }.joined(separator: ", ")
        #expect(StatementKind.of("SELECT \(columns) FROM tasks") == "select")
        #expect(StatementKind.of("SELECT a, b FROM Tasks") == "select tasks")
    }
}
