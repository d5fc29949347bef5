import CSQLite
import OrdinautStore
import Synchronization

extension SQLiteDatabase {
    /// Runs SQLite's `PRAGMA quick_check` (every page and index entry is read and checked, without
    /// matching indexes against their tables): run at start, so that a damaged file stops the server
    /// with its name rather than answering 503 here and there later.
    public func checkIntegrity() async throws(StoreError) {
        let location = self.location
        let problems: [String]
        do throws(StoreError) {
            problems = try await autocommit { connection throws(StoreError) in
                try connection.execute("PRAGMA quick_check(5)", []).map { $0.text(0) ?? "" }
            }
        } catch {
            throw SQLiteDamage.startRefusal(location, error.message)
        }
        guard problems == ["ok"] else {
            throw SQLiteDamage.startRefusal(location, "PRAGMA quick_check: " + problems.joined(separator: "; "))
        }
    }

    /// Readiness: fails once any query met a damaged page, and reads the schema through a connection
    /// of its own, whose cache is cold. The pool's connections keep the hot pages in memory and go on
    /// answering from them when the file goes bad under them.
    public func probe() async throws(StoreError) {
        if let report = damage.report {
            throw .unavailable("the SQLite database \(location) is damaged: \(report)")
        }
        let path = location
        try await autocommit { connection throws(StoreError) in
            if path == ":memory:" {
                try connection.execute("SELECT 1", [])
            } else {
                try SQLiteConnection.probe(path: path)
            }
        }
    }
}

extension SQLiteConnection {
    /// Opens `path` read-only and reads its schema.
    static func probe(path: String) throws(StoreError) {
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        SQLiteConnection.libraryConfigured
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw .unavailable("the SQLite database \(path) cannot be opened: \(handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory")")
        }
        guard sqlite3_exec(handle, "SELECT count(*) FROM sqlite_master", nil, nil, nil) == SQLITE_OK else {
            throw .unavailable("the SQLite database \(path) cannot be read: \(String(cString: sqlite3_errmsg(handle)))")
        }
    }
}

/// The first sign that the file is damaged. Damage does not heal by itself: readiness reports it
/// until the file is restored and the process restarted.
final class SQLiteDamage: Sendable {
    private let first = Mutex<String?>(nil)

    func record(_ message: String) {
        first.withLock { report in
            if report == nil { report = message }
        }
    }

    var report: String? { first.withLock { $0 } }

    /// Why a damaged file cannot be served, and what to do about it.
    static func startRefusal(_ path: String, _ problem: String) -> StoreError {
        .unavailable("the SQLite database \(path) is damaged (\(problem)); restore it from a backup or move it aside")
    }
}
