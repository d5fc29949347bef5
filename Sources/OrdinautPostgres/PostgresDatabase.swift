import CLibPQ
import Foundation
import OrdinautStore
import Synchronization

/// The multi-node store: PostgreSQL through libpq. A pool of connections, each on a thread of its
/// own, runs transactions; one more connection `LISTEN`s for `ordinaut_work`, which every
/// transaction that adds due work `NOTIFY`s at commit, so idle workers on every node wake at once.
/// A lost connection is reopened on its next use; meanwhile operations fail with
/// `StoreError.unavailable` (HTTP 503) and workers back off.
public final class PostgresDatabase: PoolBackedDatabase {
    public let dialect = SQLDialect.postgres
    public let location: String
    private let url: String
    public let pool: ConnectionPool
    private let listening = Mutex(false)
    private let stopped = StopFlag()

    /// Connects to `url` (`postgres://user:password@host:port/database`, or any libpq connection
    /// string) with `poolSize` connections. One connection is opened now, so a wrong URL fails at start.
    public init(url: String, poolSize: Int = 4) throws(StoreError) {
        self.url = url
        location = Self.redacted(url)
        let probe = try PostgresConnection(url: url)
        let first = Mutex<PostgresConnection?>(probe)
        pool = ConnectionPool(size: poolSize, name: "ordinaut-postgres", dialect: .postgres) { () throws(StoreError) -> any PooledConnection in
            if let connection = first.withLock({ box in defer { box = nil }; return box }) { return connection }
            return try PostgresConnection(url: url)
        }
    }

    /// `postgres://user:***@host/db`: the URL without its password.
    public static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    public func listenForWork(_ doorbell: Doorbell) {
        guard listening.withLock({ started in defer { started = true }; return !started }) else { return }
        let url = self.url
        let thread = Thread { [stopped] in Self.listen(url: url, doorbell: doorbell, stopped: stopped) }
        thread.name = "ordinaut-postgres-listen"
        thread.start()
    }

    private static func listen(url: String, doorbell: Doorbell, stopped: StopFlag) {
        var failures = 0
        while !stopped.isSet {
            guard let connection = PQconnectdb(url), PQstatus(connection) == CONNECTION_OK else {
                failures += 1
                Thread.sleep(forTimeInterval: min(Double(failures), 5))
                continue
            }
            defer { PQfinish(connection) }
            PQclear(PQexec(connection, "LISTEN ordinaut_work"))
            failures = 0
            // Work added while we were not listening is found by the workers' own polling.
            doorbell.ring()
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            while !stopped.isSet {
                let ready = poll(&descriptor, 1, 500)
                if ready < 0 && errno != EINTR { break }
                guard PQconsumeInput(connection) == 1 else { break }
                var woke = false
                while let notification = PQnotifies(connection) {
                    PQfreemem(notification)
                    woke = true
                }
                if woke { doorbell.ring() }
                if PQstatus(connection) != CONNECTION_OK { break }
            }
        }
    }

    /// A database nobody holds any more stops listening (its pool stops its own threads).
    deinit {
        stopped.set()
    }

    public func close() async {
        stopped.set()
        await pool.close()
    }
}

/// One libpq connection with named prepared statements. Used by one thread at a time.
final class PostgresConnection: PooledConnection, NotifyingConnection {
    private let handle: OpaquePointer
    private var prepared: [String: String] = [:]
    private(set) var isBroken = false

    init(url: String) throws(StoreError) {
        guard ordinaut_pq_load() != 0 else { throw .unavailable(String(cString: ordinaut_pq_load_error())) }
        guard let handle = PQconnectdb(url) else { throw .unavailable("libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw .unavailable("cannot connect to PostgreSQL at \(PostgresDatabase.redacted(url)): \(message)")
        }
        self.handle = handle
        PQclear(PQexec(handle, "SET client_min_messages = warning"))
    }

    func close() {
        PQfinish(handle)
    }

    func notifyWork() throws(StoreError) {
        try execute("NOTIFY ordinaut_work", [])
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        let name = try statementName(sql, parameterCount: parameters.count)
        let texts: [String?] = parameters.map { value in
            switch value {
            case .null: return nil
            case .integer(let number): return String(number)
            case .real(let number): return String(number)
            case .text(let text): return text
            }
        }
        let result: OpaquePointer? = withCStrings(texts) { pointers in
            PQexecPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, sql)
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(.null)
                } else {
                    values.append(.text(String(cString: PQgetvalue(result, row, column))))
                }
            }
            rows.append(SQLRow(values))
        }
        return rows
    }

    private func statementName(_ sql: String, parameterCount: Int) throws(StoreError) -> String {
        if let name = prepared[sql] { return name }
        let name = "s\(prepared.count)"
        let result = PQprepare(handle, name, sql, 0, nil)
        defer { PQclear(result) }
        try check(result, sql)
        prepared[sql] = name
        return name
    }

    private func check(_ result: OpaquePointer?, _ sql: String) throws(StoreError) {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return }
        if PQstatus(handle) != CONNECTION_OK {
            isBroken = true
            throw .unavailable("the PostgreSQL connection was lost: \(String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let message = result.map { String(cString: PQresultErrorMessage($0)) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "no result"
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        if state.hasPrefix("23") { throw .conflict("PostgreSQL refused a change: \(message)") }
        if state.hasPrefix("57P") || state.hasPrefix("08") { isBroken = true }
        throw .unavailable("PostgreSQL failed (\(state)): \(message) in: \(sql.prefix(120))")
    }
}

/// Calls `body` with C strings for `strings` (NULL for `nil`), valid for the duration of the call.
private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let storage: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
    defer { for pointer in storage { free(pointer) } }
    return body(storage.map { $0.map { UnsafePointer($0) } })
}

/// Tells the listening thread to end.
private final class StopFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
