import CSQLite
import Foundation
import OrdinautStore
import Synchronization

/// The embedded store: one SQLite file in WAL mode, written by one connection on a thread of its
/// own (SQLite has one writer at a time anyway). Other processes on the same file (the CLI while a
/// server runs) wait for the write lock up to `busyTimeout`.
public final class SQLiteDatabase: PoolBackedDatabase {
    public enum Synchronous: String, Sendable, CaseIterable {
        /// Durable across power loss (an fsync per commit).
        case full = "FULL"
        /// Durable across process crashes; a power loss may lose the last commits (WAL's usual choice).
        case normal = "NORMAL"
        case off = "OFF"
    }

    public let dialect = SQLDialect.sqlite
    public let location: String
    public let pool: ConnectionPool
    /// The first sign of a damaged file any connection met, for readiness.
    let damage = SQLiteDamage()

    /// Opens (creating it and its folder if needed) the database at `path`; `:memory:` keeps it in memory.
    public init(path: String, synchronous: Synchronous = .normal, busyTimeoutMilliseconds: Int32 = 10_000) throws(StoreError) {
        location = path
        if path != ":memory:" {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw .unavailable("cannot create the data folder \(folder): \(error.localizedDescription)")
                }
            }
        }
        // Open once here so a bad path fails at start, with its reason, not at the first request.
        let damage = self.damage
        let probe: SQLiteConnection
        do throws(StoreError) {
            probe = try SQLiteConnection(path: path, synchronous: synchronous, busyTimeout: busyTimeoutMilliseconds, damage: damage)
        } catch {
            guard let report = damage.report else { throw error }
            throw SQLiteDamage.startRefusal(path, report)
        }
        let first = Mutex<SQLiteConnection?>(probe)
        // One writer: transactions that queue up behind each other share one commit.
        pool = ConnectionPool(size: 1, name: "ordinaut-sqlite", dialect: .sqlite, groupCommit: true) { () throws(StoreError) -> any PooledConnection in
            if let connection = first.withLock({ box in defer { box = nil }; return box }) { return connection }
            return try SQLiteConnection(path: path, synchronous: synchronous, busyTimeout: busyTimeoutMilliseconds, damage: damage)
        }
    }

    public func listenForWork(_ doorbell: Doorbell) {}

    public func close() async {
        await pool.close()
    }
}

/// One SQLite connection with a cache of prepared statements. Used by one thread at a time.
final class SQLiteConnection: PooledConnection {
    private var handle: OpaquePointer?
    private var statements: [String: Statement] = [:]
    private(set) var isBroken = false
    private let damage: SQLiteDamage

    private struct Statement {
        let pointer: OpaquePointer
        /// For each SQL parameter slot, the index into the parameters (`$3` → 2).
        let slots: [Int]
    }

    /// Process-wide settings, made once before SQLite's first open (the library's own initialization).
    static let libraryConfigured: Void = {
        _ = ordinaut_sqlite3_disable_memory_statistics()
    }()

    init(path: String, synchronous: SQLiteDatabase.Synchronous, busyTimeout: Int32, damage: SQLiteDamage) throws(StoreError) {
        self.damage = damage
        Self.libraryConfigured
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw .unavailable("cannot open the SQLite database \(path): \(message)")
        }
        sqlite3_busy_timeout(handle, busyTimeout)
        do throws(StoreError) {
            if path != ":memory:" { try execute("PRAGMA journal_mode = WAL", []) }
            try execute("PRAGMA synchronous = \(synchronous.rawValue)", [])
            // 16 MiB of page cache: the hot pages of the queue and its indexes stay in memory.
            try execute("PRAGMA cache_size = -16384", [])
            try execute("PRAGMA wal_autocheckpoint = 4000", [])
        } catch {
            sqlite3_close(handle)
            throw error
        }
    }

    func close() {
        for statement in statements.values { sqlite3_finalize(statement.pointer) }
        statements = [:]
        sqlite3_close(handle)
        handle = nil
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        let statement = try prepare(sql)
        let pointer = statement.pointer
        defer {
            sqlite3_reset(pointer)
            sqlite3_clear_bindings(pointer)
        }
        for (position, slot) in statement.slots.enumerated() {
            guard slot < parameters.count else { throw .unavailable("statement expects parameter $\(slot + 1): \(sql)") }
            let index = Int32(position + 1)
            switch parameters[slot] {
            case .null: sqlite3_bind_null(pointer, index)
            case .integer(let value): sqlite3_bind_int64(pointer, index, value)
            case .real(let value): sqlite3_bind_double(pointer, index, value)
            case .text(let text): sqlite3_bind_text(pointer, index, text, -1, Self.transient)
            }
        }
        var rows: [SQLRow] = []
        while true {
            let code = sqlite3_step(pointer)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw error(code, sql) }
            let count = sqlite3_column_count(pointer)
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(pointer, column) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(pointer, column)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(pointer, column)))
                case SQLITE_NULL: values.append(.null)
                default: values.append(.text(String(cString: sqlite3_column_text(pointer, column))))
                }
            }
            rows.append(SQLRow(values))
        }
        return rows
    }

    private func prepare(_ sql: String) throws(StoreError) -> Statement {
        if let cached = statements[sql] { return cached }
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw error(code, sql) }
        var slots: [Int] = []
        let count = sqlite3_bind_parameter_count(pointer)
        if count > 0 {
            for index in 1...count {
                guard let name = sqlite3_bind_parameter_name(pointer, index), let number = Int(String(cString: name).dropFirst()), number >= 1 else {
                    sqlite3_finalize(pointer)
                    throw .unavailable("parameter \(index) of a statement is not written $N: \(sql)")
                }
                slots.append(number - 1)
            }
        }
        let statement = Statement(pointer: pointer, slots: slots)
        statements[sql] = statement
        return statement
    }

    private func error(_ code: Int32, _ sql: String) -> StoreError {
        let message = String(cString: sqlite3_errmsg(handle))
        switch code & 0xff {
        case SQLITE_CONSTRAINT: return .conflict("SQLite refused a change: \(message)")
        case SQLITE_BUSY, SQLITE_LOCKED: return .unavailable("the SQLite database is busy (another process holds its write lock): \(message)")
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            isBroken = true
            damage.record(message)
            return .unavailable("SQLite failed: \(message)")
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_READONLY:
            isBroken = true
            return .unavailable("SQLite failed: \(message)")
        default: return .unavailable("SQLite failed (\(code)): \(message) in: \(sql.prefix(120))")
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
