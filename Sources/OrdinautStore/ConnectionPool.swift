import Dispatch
import Foundation
import OrdinautTracing
import Synchronization

/// Threads of their own, each owning one database connection, serving transactions from one queue.
///
/// Blocking C calls (SQLite, libpq) run here and never on the Swift concurrency pool. A connection
/// is opened on first use and opened again after a failure marks it broken, so a database that
/// restarts is picked up again without restarting Ordinaut.
///
/// The pool is also a `TaskExecutor`. A task that does little but talk to the database (the
/// scheduler's claiming loop, its recording of endings) prefers it (`withTaskExecutorPreference`):
/// the task then runs on the pool's threads between its transactions, so a transaction costs no
/// thread wake-up at all, where a task on the concurrency pool pays two (the pool's thread woken for
/// the work, the task's thread woken for the answer). After `close()` such tasks run on the global
/// executor.
public final class ConnectionPool: TaskExecutor, Sendable {
    /// Opens a connection, or fails with `StoreError.unavailable`.
    public typealias Opener = @Sendable () throws(StoreError) -> any PooledConnection

    private struct Job {
        /// Whether the pool wraps the work in a transaction (a single-statement job may run without one).
        let transactional: Bool
        /// Runs the caller's work (inside a transaction or savepoint the pool opened) and returns how
        /// to answer the caller once the outcome is durable.
        let work: @Sendable (any SQLConnection) -> Answer
        let fail: @Sendable (StoreError) -> Void
    }

    private struct Answer {
        let succeeded: Bool
        let deliver: @Sendable () -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        /// Jobs of tasks that prefer this executor.
        var tasks: [UnownedJob] = []
        var open = true
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let size: Int
    private let groupLimit: Int
    let dialect: SQLDialect

    /// `groupCommit` (for a single-writer database such as SQLite): transactions waiting together run
    /// as savepoints of one transaction with one commit, each still all-or-nothing on its own, and
    /// each caller is answered only after that commit.
    public init(size: Int, name: String, dialect: SQLDialect, groupCommit: Bool = false, open: @escaping Opener) {
        self.size = size
        self.groupLimit = groupCommit ? 64 : 1
        self.dialect = dialect
        for index in 0..<size {
            let thread = Thread { [self] in serve(open) }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

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
        guard Spans.current?.isSampled == true else { return try await enqueue(transactional: transactional, body) }
        let system = dialect.name == "postgres" ? "postgresql" : dialect.name
        return try await Spans.run("\(system) \(transactional ? "transaction" : "statement")", kind: .client) { span throws(StoreError) in
            span?.attributes["db.system.name"] = system
            return try await enqueue(transactional: transactional, body)
        }
    }

    private func enqueue<T: Sendable>(transactional: Bool, _ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let job = Job(
                transactional: transactional,
                work: { connection in
                    do throws(StoreError) {
                        let value = try body(connection)
                        return Answer(succeeded: true) { continuation.resume(returning: .success(value)) }
                    } catch {
                        return Answer(succeeded: false) { continuation.resume(returning: .failure(error)) }
                    }
                },
                fail: { continuation.resume(returning: .failure($0)) })
            let accepted = queue.withLock { queue -> Bool in
                guard queue.open else { return false }
                queue.jobs.append(job)
                return true
            }
            if accepted { wake.signal() } else { continuation.resume(returning: .failure(.unavailable("the database is closed"))) }
        }
        return try result.get()
    }

    /// Runs `jobs` in one transaction (each in a savepoint when there are several), commits, then answers them.
    private func run(_ jobs: [Job], on connection: any SQLConnection) {
        if jobs.count == 1 && !jobs[0].transactional {
            jobs[0].work(connection).deliver()
            return
        }
        do throws(StoreError) {
            try connection.execute(dialect.begin, [])
        } catch {
            for job in jobs { job.fail(error) }
            return
        }
        var answers: [(Job, Answer)] = []
        if jobs.count == 1 {
            answers.append((jobs[0], jobs[0].work(connection)))
            if !answers[0].1.succeeded {
                _ = try? connection.execute("ROLLBACK", [])
                answers[0].1.deliver()
                return
            }
        } else {
            for job in jobs {
                do throws(StoreError) {
                    try connection.execute("SAVEPOINT grouped", [])
                    let answer = job.work(connection)
                    if !answer.succeeded { try connection.execute("ROLLBACK TO SAVEPOINT grouped", []) }
                    try connection.execute("RELEASE SAVEPOINT grouped", [])
                    answers.append((job, answer))
                } catch {
                    // The savepoint machinery itself failed: give up on the whole group.
                    _ = try? connection.execute("ROLLBACK", [])
                    for (done, _) in answers { done.fail(error) }
                    job.fail(error)
                    for rest in jobs[(answers.count + 1)...] { rest.fail(error) }
                    return
                }
            }
        }
        do throws(StoreError) {
            try connection.execute("COMMIT", [])
        } catch {
            _ = try? connection.execute("ROLLBACK", [])
            for (job, answer) in answers {
                if answer.succeeded { job.fail(error) } else { answer.deliver() }
            }
            return
        }
        for (_, answer) in answers { answer.deliver() }
    }

    /// The pool as the executor of tasks that mostly talk to the database, when it has one thread
    /// (SQLite). With several, the thread that ran a task is rarely the one that takes its
    /// transaction (the signal wakes an idle one), so nothing would be saved: `nil`.
    public var taskExecutor: (any TaskExecutor)? { size == 1 ? self : nil }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = queue.withLock { queue -> Bool in
            guard queue.open else { return false }
            queue.tasks.append(job)
            return true
        }
        if accepted { wake.signal() } else { globalConcurrentExecutor.enqueue(job) }
    }

    /// Stops taking work, fails what is queued, and waits for the threads to close their connections.
    public func close() async {
        let (pending, tasks) = queue.withLock { queue -> ([Job], [UnownedJob]) in
            queue.open = false
            defer { (queue.jobs, queue.tasks) = ([], []) }
            return (queue.jobs, queue.tasks)
        }
        for job in pending { job.fail(.unavailable("the database is closed")) }
        for task in tasks { globalConcurrentExecutor.enqueue(task) }
        for _ in 0..<size { wake.signal() }
        let finished = self.finished
        let size = self.size
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                for _ in 0..<size { finished.wait() }
                continuation.resume()
            }.start()
        }
    }

    private func serve(_ open: Opener) {
        var connection: (any PooledConnection)?
        defer {
            connection?.close()
            finished.signal()
        }
        var tasks: [UnownedJob] = []
        while true {
            wake.wait()
            // Every queued item (a task's job or a transaction) signalled once. Items taken beyond the
            // one this wake-up was for leave their signals behind; each later makes one empty pass,
            // which costs no system call.
            let batch = queue.withLock { queue -> [Job]? in
                guard queue.open else { return nil }
                swap(&tasks, &queue.tasks)
                let count = min(groupLimit, queue.jobs.count)
                defer { queue.jobs.removeFirst(count) }
                return Array(queue.jobs.prefix(count))
            }
            guard let batch else { return }
            for task in tasks { task.runSynchronously(on: asUnownedTaskExecutor()) }
            tasks.removeAll(keepingCapacity: true)
            guard !batch.isEmpty else { continue }
            if connection == nil {
                do throws(StoreError) {
                    connection = try open()
                } catch {
                    for job in batch { job.fail(error) }
                    continue
                }
            }
            run(batch, on: connection!)
            if connection!.isBroken {
                connection!.close()
                connection = nil
            }
        }
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
