import CSQLite
import Foundation
import OrdinautSQLite
import OrdinautStore
import Testing

@Suite("SQLite library settings")
struct SQLiteLibraryTests {
    /// Memory statistics cost a process-wide mutex on every allocation inside SQLite and nothing
    /// reads them: they are off before the first open, so SQLite counts nothing.
    @Test func memoryStatisticsAreOff() async throws {
        let database = try SQLiteDatabase(path: NSTemporaryDirectory() + "ordinaut-library-\(UUID().uuidString).db")
        try await database.autocommit { connection throws(StoreError) in
            try connection.execute("CREATE TABLE t (x TEXT)")
            try connection.execute("INSERT INTO t VALUES ($1)", .text(String(repeating: "x", count: 10_000)))
        }
        #expect(sqlite3_memory_used() == 0)
        await database.close()
    }
}
