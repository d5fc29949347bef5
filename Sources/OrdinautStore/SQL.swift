import OrdinautCore

/// A value bound to or read from SQL. Both backends store the same four kinds: timestamps are
/// integer milliseconds since 1970 and JSON is text, so one set of statements serves both.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }
    public init(_ integer: Int64?) { self = integer.map(SQLValue.integer) ?? .null }
    public init(_ integer: Int) { self = .integer(Int64(integer)) }
    public init(_ flag: Bool) { self = .integer(flag ? 1 : 0) }
    public init(json: JSONValue) { self = .text(json.encodedString()) }

    /// A PostgreSQL array literal of `integers` (bind it as `$n::bigint[]`).
    init(postgresArray integers: [Int64]) {
        self = .text("{" + integers.map(String.init).joined(separator: ",") + "}")
    }

    /// A PostgreSQL array literal of `texts`, each quoted (bind it as `$n::text[]`).
    init(postgresArray texts: [String]) {
        let quoted = texts.map { text in
            "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        self = .text("{" + quoted.joined(separator: ",") + "}")
    }
}

/// `columns` (a comma-separated list) with each name prefixed by `alias`: `"a, b"` → `"t.a, t.b"`.
/// Statements are built from it once, never per call.
func qualified(_ columns: String, by alias: String) -> String {
    columns.split(separator: ",").map { "\(alias)." + $0.filter { !$0.isWhitespace } }.joined(separator: ", ")
}

/// One result row; columns are addressed by position, in the order the statement selects them.
public struct SQLRow: Sendable {
    public let values: [SQLValue]

    public init(_ values: [SQLValue]) {
        self.values = values
    }

    public func integer(_ column: Int) -> Int64? {
        switch values[column] {
        case .integer(let value): return value
        case .real(let value): return Int64(value)
        case .text(let text): return Int64(text)
        case .null: return nil
        }
    }

    public func int(_ column: Int) -> Int { Int(integer(column) ?? 0) }

    public func text(_ column: Int) -> String? {
        switch values[column] {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .null: return nil
        }
    }

    public func bool(_ column: Int) -> Bool? {
        switch values[column] {
        case .integer(let value): return value != 0
        case .text(let text): return text == "t" || text == "true" || text == "1"
        default: return nil
        }
    }

    /// A JSON column; text that does not parse reads as `null` (it was written by us, so it always parses).
    public func json(_ column: Int) -> JSONValue {
        guard let text = text(column) else { return .null }
        return (try? JSONParser().parse(text)) ?? .null
    }
}

/// One database connection, used by one thread at a time inside `SQLDatabase.transaction`.
///
/// Statements use `$1`, `$2`, … placeholders on both backends.
public protocol SQLConnection: AnyObject {
    /// Runs one statement and returns its rows (none for statements without results).
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow]
}

extension SQLConnection {
    @discardableResult
    public func execute(_ sql: String, _ parameters: SQLValue...) throws(StoreError) -> [SQLRow] {
        try execute(sql, parameters)
    }
}

/// The SQL that differs between backends.
public struct SQLDialect: Sendable {
    public let name: String
    /// The clause that lets concurrent claimers pass over rows another transaction holds.
    public let skipLocked: String
    /// The type of an auto-incrementing primary key column.
    public let serialPrimaryKey: String
    /// Starts a transaction that writes (SQLite takes its write lock up front).
    public let begin: String
    /// Whether `WITH` may hold `INSERT`/`UPDATE`/`DELETE` (PostgreSQL): hot paths then take one round trip.
    public let writingCTEs: Bool
    /// Makes the rest of the transaction plan each statement for its parameters (PostgreSQL): for
    /// queries whose best plan depends on the data, such as the scheduler's, where a plan cached
    /// while a table was small would scan the whole table once it has grown.
    public let planForParameters: String?
    /// Whether a table may name the index a query must read (SQLite's `INDEXED BY`): for queries its
    /// planner, without statistics, would answer from a broader index and then sort or scan.
    public let namesIndexes: Bool

    public static let sqlite = SQLDialect(
        name: "sqlite", skipLocked: "", serialPrimaryKey: "INTEGER PRIMARY KEY AUTOINCREMENT", begin: "BEGIN IMMEDIATE", writingCTEs: false,
        planForParameters: nil, namesIndexes: true)
    public static let postgres = SQLDialect(
        name: "postgres", skipLocked: "FOR UPDATE OF d SKIP LOCKED", serialPrimaryKey: "BIGSERIAL PRIMARY KEY", begin: "BEGIN",
        writingCTEs: true, planForParameters: "SET LOCAL plan_cache_mode = force_custom_plan", namesIndexes: false)

    /// `table`, read through `index` where the dialect lets a query name it (SQLite fails the
    /// statement if that index cannot serve it, so a plan cannot silently fall back to a scan).
    public func table(_ table: String, indexedBy index: String) -> String {
        namesIndexes ? "\(table) INDEXED BY \(index)" : table
    }
}

/// A database: connections on threads of their own, so that blocking C calls never run on the Swift
/// concurrency pool. Work is a synchronous closure run inside one transaction.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Where the data lives, for logs and `/health` (no password).
    var location: String { get }

    /// Runs `body` in a transaction on a free connection: committed when it returns, rolled back when it throws.
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T

    /// Runs `body`, which must issue a single statement (atomic by itself), without a surrounding
    /// transaction: one round trip fewer on each side.
    @discardableResult
    func autocommit<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T

    /// Rings `doorbell` whenever another process adds due work (PostgreSQL `LISTEN`); a no-op where
    /// every writer is this process.
    func listenForWork(_ doorbell: Doorbell)

    /// Closes every connection; later calls fail with `StoreError.unavailable`.
    func close() async

    /// Readiness: checks cheaply that the data can be read; throws `unavailable` with the reason.
    func probe() async throws(StoreError)

    /// The executor of the threads that run the transactions, if they run Swift tasks too: a task that
    /// mostly talks to the database prefers it, so that its transactions need no thread hop.
    var executor: (any TaskExecutor)? { get }
}

extension SQLDatabase {
    public var executor: (any TaskExecutor)? { nil }

    public func probe() async throws(StoreError) {
        try await autocommit { connection throws(StoreError) in try connection.execute("SELECT 1") }
    }
}

/// Why the store refused or failed an operation. Input is checked before it reaches the store
/// (`InputError`); the store speaks only of the database and of what it holds.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The database cannot be reached or failed; retry later (HTTP 503).
        case unavailable
        /// No such task or run (HTTP 404).
        case notFound
        /// The request conflicts with the current state, such as pausing a paused task (HTTP 409),
        /// or with what is stored, such as a name in use: checks only the database can make are
        /// conflicts, not invalid input, since the same input is accepted once the state changes.
        case conflict
    }

    public let kind: Kind
    public let message: String
    /// The request field at fault, for a `conflict` over a stored value (an agent name in use).
    public let field: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    public static func unavailable(_ message: String) -> StoreError { StoreError(.unavailable, message) }
    public static func notFound(_ message: String) -> StoreError { StoreError(.notFound, message) }
    public static func conflict(_ message: String, field: String? = nil) -> StoreError { StoreError(.conflict, message, field: field) }

    public var description: String { message }
}
