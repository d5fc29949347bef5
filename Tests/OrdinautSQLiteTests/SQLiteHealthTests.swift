import Foundation
import OrdinautSQLite
import OrdinautStore
import Testing

@Suite("SQLite health")
struct SQLiteHealthTests {
    /// A database file with one table `t` of several pages, closed; returns its path and the table's
    /// root page and the page size.
    private func databaseWithTable() async throws -> (path: String, root: Int, pageSize: Int) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ordinaut-sqlite-\(UUID().uuidString)").path
        let path = folder + "/test.db"
        let database = try SQLiteDatabase(path: path)
        let (root, pageSize) = try await database.autocommit { connection throws(StoreError) in
            try connection.execute("CREATE TABLE t (x TEXT)")
            for _ in 0..<50 { try connection.execute("INSERT INTO t VALUES ($1)", .text(String(repeating: "x", count: 1000))) }
            let root = try connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 't'").first?.int(0) ?? 0
            let size = try connection.execute("PRAGMA page_size").first?.int(0) ?? 0
            return (root, size)
        }
        await database.close()
        return (path, root, pageSize)
    }

    private func damage(_ path: String, page: Int, pageSize: Int) throws {
        let file = try #require(FileHandle(forUpdatingAtPath: path))
        try file.seek(toOffset: UInt64((page - 1) * pageSize))
        try file.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
        try file.close()
    }

    @Test func aHealthyFilePassesTheStartCheckAndTheProbe() async throws {
        let (path, _, _) = try await databaseWithTable()
        let database = try SQLiteDatabase(path: path)
        try await database.checkIntegrity()
        try await database.probe()
        await database.close()
    }

    @Test func theStartCheckNamesADamagedFileThatOpensFine() async throws {
        let (path, root, pageSize) = try await databaseWithTable()
        #expect(root > 1)
        try damage(path, page: root, pageSize: pageSize)
        let database = try SQLiteDatabase(path: path)
        let error = await #expect(throws: StoreError.self) { try await database.checkIntegrity() }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("damaged") == true)
        await database.close()
    }

    @Test func aQueryThatMeetsDamageKeepsTheProbeFailing() async throws {
        let (path, root, pageSize) = try await databaseWithTable()
        try damage(path, page: root, pageSize: pageSize)
        let database = try SQLiteDatabase(path: path)
        // The schema still reads: the probe alone does not see the damage.
        try await database.probe()
        await #expect(throws: StoreError.self) {
            try await database.autocommit { connection throws(StoreError) in try connection.execute("SELECT count(*) FROM t") }
        }
        let error = await #expect(throws: StoreError.self) { try await database.probe() }
        #expect(error?.message.contains("damaged") == true)
        await database.close()
    }
}
