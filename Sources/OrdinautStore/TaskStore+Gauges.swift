import OrdinautCore

/// What the scheduler's gauges show, read in one transaction.
public struct SchedulerGauges: Sendable, Equatable {
    /// Tasks by status; every status is present.
    public var tasks: [TaskStatus: Int]
    /// Due items whose time came and that no live lease holds.
    public var backlog: Int
    /// How long the oldest of them has been due, in milliseconds (0 without any).
    public var oldestDueAge: Int64
    /// Runs parked at an approval nobody answered yet.
    public var approvalsWaiting: Int
    /// Scheduler processes whose heartbeat is recent.
    public var workersAlive: Int
}

extension TaskStore {
    /// The scheduler's gauges now; a worker counts as alive when it beat within `aliveWithin`
    /// milliseconds. Two read-only statements outside any write transaction.
    public func gauges(aliveWithin: Int64) async throws(StoreError) -> SchedulerGauges {
        let now = clock()
        let byStatus = try await database.autocommit { connection throws(StoreError) in
            try connection.execute("SELECT status, COUNT(*) FROM tasks GROUP BY status")
        }
        var tasks = Dictionary(uniqueKeysWithValues: TaskStatus.allCases.map { ($0, 0) })
        for row in byStatus {
            if let status = row.text(0).flatMap(TaskStatus.init(rawValue:)) { tasks[status] = row.int(1) }
        }
        let row = try await database.autocommit { connection throws(StoreError) in
            try connection.execute(
                """
                SELECT (SELECT COUNT(*) FROM due_work WHERE run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)),
                       (SELECT MIN(run_at) FROM due_work WHERE run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)),
                       (SELECT COUNT(*) FROM approvals WHERE answered_at IS NULL),
                       (SELECT COUNT(*) FROM workers WHERE heartbeat_at >= $2)
                """, .integer(now), .integer(now - aliveWithin)).first
        }
        return SchedulerGauges(tasks: tasks, backlog: row?.int(0) ?? 0, oldestDueAge: row?.integer(1).map { max(0, now - $0) } ?? 0,
                               approvalsWaiting: row?.int(2) ?? 0, workersAlive: row?.int(3) ?? 0)
    }
}
