import Dispatch
import Foundation
import Synchronization

/// Threads of their own, each owning one database connection, serving transactions from one queue.
///
/// Blocking C calls (SQLite, libpq) run here and never on the Swift concurrency pool. A connection
/// is opened on first use and opened again after a failure marks it broken, so a database that
/// restarts is picked up again without restarting Ordinaut.
public final class ConnectionPool: Sendable {
    /// Opens a connection, or fails with `StoreError.unavailable`.
    public typealias Opener = @Sendable () throws(StoreError) -> any PooledConnection

    private struct Job {
        let work: @Sendable (any SQLConnection) -> Void
        let fail: @Sendable (StoreError) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var open = true
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let size: Int
    let dialect: SQLDialect

    public init(size: Int, name: String, dialect: SQLDialect, open: @escaping Opener) {
        self.size = size
        self.dialect = dialect
        for index in 0..<size {
            let thread = Thread { [self] in serve(open) }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` in a transaction on the next free connection.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        let dialect = self.dialect
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let job = Job(
                work: { connection in
                    continuation.resume(returning: Self.inTransaction(connection, dialect: dialect, body))
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

    private static func inTransaction<T>(_ connection: any SQLConnection, dialect: SQLDialect,
                                         _ body: (any SQLConnection) throws(StoreError) -> T) -> Result<T, StoreError> {
        do throws(StoreError) {
            try connection.execute(dialect.begin, [])
            let value = try body(connection)
            try connection.execute("COMMIT", [])
            return .success(value)
        } catch {
            _ = try? connection.execute("ROLLBACK", [])
            return .failure(error)
        }
    }

    /// Stops taking work, fails what is queued, and waits for the threads to close their connections.
    public func close() async {
        let pending = queue.withLock { queue -> [Job] in
            queue.open = false
            defer { queue.jobs = [] }
            return queue.jobs
        }
        for job in pending { job.fail(.unavailable("the database is closed")) }
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
        while true {
            wake.wait()
            let job = queue.withLock { queue -> Job?? in
                guard queue.open else { return .some(nil) }
                return queue.jobs.isEmpty ? nil : queue.jobs.removeFirst()
            }
            guard let job else { continue }
            guard let job else { return }
            if connection == nil {
                do throws(StoreError) {
                    connection = try open()
                } catch {
                    job.fail(error)
                    continue
                }
            }
            job.work(connection!)
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
