import Foundation
import OrdinautSQLite
import OrdinautStore
import Synchronization
import Testing

/// The connection pool: a task that prefers it as its executor runs its transactions without leaving
/// the database's thread and is not stranded when the database closes; a pool nobody holds closes
/// its connections.
@Suite struct ConnectionPoolTests {
    private func database() throws -> SQLiteDatabase {
        try SQLiteDatabase(path: NSTemporaryDirectory() + "ordinaut-executor-\(UUID().uuidString).db")
    }

    @Test func aTaskThatPrefersThePoolStaysOnItsThreadAcrossTransactions() async throws {
        let database = try database()
        let executor = try #require(database.executor)
        let threads = try await withTaskExecutorPreference(executor) { () async throws(StoreError) -> [pthread_t] in
            var seen: [pthread_t] = []
            for _ in 0..<3 {
                let inside = try await database.autocommit { connection throws(StoreError) in
                    _ = try connection.execute("SELECT 1")
                    return pthread_self()
                }
                seen += [inside, currentThread()]
            }
            return seen
        }
        await database.close()
        // The transactions ran on the database's thread, and so did the task after each of them.
        #expect(Set(threads).count == 1)
    }

    @Test func withoutThePreferenceTheTaskResumesOnTheConcurrencyPool() async throws {
        let database = try database()
        let inside = try await database.autocommit { connection throws(StoreError) in
            _ = try connection.execute("SELECT 1")
            return pthread_self()
        }
        #expect(currentThread() != inside)
        await database.close()
    }

    @Test func tasksThatPreferAClosedPoolStillRun() async throws {
        let database = try database()
        let executor = try #require(database.executor)
        let outcome = await withTaskExecutorPreference(executor) { () async -> String in
            await database.close()
            // Enqueued after the close: the global executor runs it.
            await Task.yield()
            do throws(StoreError) {
                try await database.autocommit { connection throws(StoreError) in _ = try connection.execute("SELECT 1") }
                return "answered"
            } catch {
                return "\(error.kind): \(error)"
            }
        }
        #expect(outcome == "unavailable: the database is closed")
    }

    @Test func aPoolOfSeveralThreadsOffersNoExecutor() async {
        let pool = ConnectionPool(size: 2, name: "test-pool", dialect: .sqlite) { () throws(StoreError) -> any PooledConnection in
            throw .unavailable("never opened")
        }
        #expect(pool.taskExecutor == nil)
        let single = ConnectionPool(size: 1, name: "test-single", dialect: .sqlite) { () throws(StoreError) -> any PooledConnection in
            throw .unavailable("never opened")
        }
        #expect(single.taskExecutor != nil)
        await pool.close()
        await single.close()
    }

    @Test func aPoolNobodyHoldsClosesItsConnections() async throws {
        let closed = Mutex(0)
        var pool: ConnectionPool? = ConnectionPool(size: 2, name: "test-released", dialect: .sqlite) { () throws(StoreError) -> any PooledConnection in
            CountedConnection { closed.withLock { $0 += 1 } }
        }
        try await pool?.autocommit { connection throws(StoreError) in try connection.execute("SELECT 1") }
        #expect(closed.withLock { $0 } == 0)
        pool = nil
        // The thread that served the statement closes its connection as it ends (a generous bound
        // only ends a hung test).
        for _ in 0..<500 where closed.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(closed.withLock { $0 } == 1)
    }
}

/// A connection that answers every statement with no rows and reports its closing.
private final class CountedConnection: PooledConnection, @unchecked Sendable {
    private let onClose: @Sendable () -> Void
    let isBroken = false

    init(onClose: @escaping @Sendable () -> Void) {
        self.onClose = onClose
    }

    func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] { [] }
    func close() { onClose() }
}

/// The thread the caller runs on, read in synchronous code.
private func currentThread() -> pthread_t {
    pthread_self()
}
