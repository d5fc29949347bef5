import OrdinautTracing

/// Threads of their own, each owning one database connection, serving transactions from one queue
/// (`PoolThreads`).
///
/// Blocking C calls (SQLite, libpq) run there and never on the Swift concurrency pool. A connection
/// is opened on first use and opened again after a failure marks it broken, so a database that
/// restarts is picked up again without restarting Ordinaut. A pool nobody holds any more stops its
/// threads and closes its connections, as `close()` does (which also waits for them).
///
/// A pool of one thread is also the executor of tasks that do little but talk to the database (the
/// scheduler's claiming loop, its recording of endings): a task that prefers it
/// (`withTaskExecutorPreference(pool.taskExecutor)`) runs on that thread between its transactions,
/// so a transaction costs no thread wake-up at all, where a task on the concurrency pool pays two
/// (the pool's thread woken for the work, the task's thread woken for the answer).
public final class ConnectionPool: Sendable {
    /// Opens a connection, or fails with `StoreError.unavailable`.
    public typealias Opener = @Sendable () throws(StoreError) -> any PooledConnection

    private let threads: PoolThreads
    private let size: Int
    let dialect: SQLDialect

    /// `groupCommit` (for a single-writer database such as SQLite): transactions waiting together run
    /// as savepoints of one transaction with one commit, each still all-or-nothing on its own, and
    /// each caller is answered only after that commit.
    public init(size: Int, name: String, dialect: SQLDialect, groupCommit: Bool = false, open: @escaping Opener) {
        self.size = size
        self.dialect = dialect
        threads = PoolThreads(size: size, name: name, dialect: dialect, groupLimit: groupCommit ? 64 : 1, open: open)
    }

    deinit {
        threads.stop()
    }

    /// The executor of tasks that mostly talk to the database, when the pool has one thread (SQLite).
    /// With several, the thread a transaction's signal wakes is rarely the one that ran the task, so
    /// nothing would be saved: `nil`. After `close()` such tasks run on the global executor.
    public var taskExecutor: (any TaskExecutor)? { size == 1 ? threads : nil }

    /// Runs `body` in a transaction on the next free connection.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await submit(transactional: true, body)
    }

    /// Runs `body`, a single statement, without a transaction around it (unless it is grouped with others).
    @discardableResult
    public func autocommit<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await submit(transactional: false, body)
    }

    /// Under a sampled span (tracing on) the work gets a client span of its own; elsewhere it costs
    /// one atomic load, so that the scheduler's polling never makes spans.
    private func submit<T: Sendable>(transactional: Bool, _ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        guard Spans.current?.isSampled == true else { return try await threads.perform(transactional: transactional, body) }
        let system = dialect.name == "postgres" ? "postgresql" : dialect.name
        return try await Spans.run("\(system) \(transactional ? "transaction" : "statement")", kind: .client) { span throws(StoreError) in
            span?.attributes["db.system.name"] = system
            return try await threads.perform(transactional: transactional, body)
        }
    }

    /// Stops taking work, fails what is queued, and waits for the threads to close their connections.
    public func close() async {
        await threads.close()
    }
}

/// A connection the pool owns: it can tell that it broke (the server went away) and be closed.
public protocol PooledConnection: SQLConnection {
    var isBroken: Bool { get }
    func close()
}

/// A database whose connections live in a `ConnectionPool`: transactions are the pool's.
public protocol PoolBackedDatabase: SQLDatabase {
    var pool: ConnectionPool { get }
}

extension PoolBackedDatabase {
    public var executor: (any TaskExecutor)? { pool.taskExecutor }

    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await pool.transaction(body)
    }

    @discardableResult
    public func autocommit<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await pool.autocommit(body)
    }
}
