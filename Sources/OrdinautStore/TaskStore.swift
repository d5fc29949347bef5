import Foundation
import OrdinautCore

/// The store over a `SQLDatabase`, by role: `tasks`, the work `queue` (claiming and endings),
/// `leadership`, `approvals`, `mcpTasks` and the `audit` log, all over one shared core (database,
/// doorbell, clock). It owns the roles and the schema (`migrate`); callers hold the role they use.
/// One implementation serves SQLite and PostgreSQL; both pass the same contract suite.
///
/// Every state change writes its audit line in the same transaction.
public final class TaskStore: Sendable {
    public let core: StoreCore
    public let tasks: TaskRepository
    public let queue: WorkQueue
    public let leadership: Leadership
    public let approvals: Approvals
    public let mcpTasks: MCPTaskStore
    public let audit: AuditLog

    public var database: any SQLDatabase { core.database }
    public var doorbell: Doorbell { core.doorbell }
    public var clock: @Sendable () -> Int64 { core.clock }

    public init(database: any SQLDatabase, clock: @escaping @Sendable () -> Int64 = StoreCore.systemClock) {
        let core = StoreCore(database: database, doorbell: Doorbell(), clock: clock)
        self.core = core
        tasks = TaskRepository(core: core)
        queue = WorkQueue(core: core)
        leadership = Leadership(core: core)
        approvals = Approvals(core: core)
        mcpTasks = MCPTaskStore(core: core)
        audit = AuditLog(core: core)
        database.listenForWork(core.doorbell)
    }
}
