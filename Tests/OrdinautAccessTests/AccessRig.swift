import Foundation
import OrdinautAccess
import OrdinautSQLite
import OrdinautStore
import Synchronization

/// A clock in milliseconds since 1970 that the test moves by hand.
final class ManualMillis: Sendable {
    private let value = Mutex<Int64>(1_735_689_600_000)  // 2025-01-01T00:00:00Z

    var now: Int64 { value.withLock { $0 } }

    func advance(seconds: Int64) {
        value.withLock { $0 += seconds * 1000 }
    }
}

/// A migrated SQLite store of its own and the agent service over it.
struct AccessRig {
    let tasks: TaskStore
    let agents: AgentStore
    let service: AgentService
    let clock = ManualMillis()

    init() async throws {
        let database = try SQLiteDatabase(path: NSTemporaryDirectory() + "ordinaut-access-\(UUID().uuidString).db")
        let clock = self.clock
        tasks = TaskStore(database: database, clock: { clock.now })
        try await tasks.migrate()
        agents = AgentStore(sharing: tasks)
        service = AgentService(store: agents)
    }

    func close() async {
        await tasks.database.close()
    }
}

/// The error `body` throws, or `nil` when it succeeds.
func agentError(_ body: () async throws(AgentError) -> Void) async -> AgentError? {
    do throws(AgentError) {
        try await body()
        return nil
    } catch {
        return error
    }
}
