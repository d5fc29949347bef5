import Foundation
import OrdinautCore

/// The work queue: due work produced (by hand, by events, by the scheduler), claimed under a lease,
/// renewed, handed back and ended (see the extensions), the runs it made, and its housekeeping.
///
/// Work is claimed with a lease (`locked_by`, `locked_until`); a worker that stops renewing loses it
/// to the next claimer, and every write a worker makes about its run is fenced by the lease it holds.
public struct WorkQueue: StoreRole {
    let core: StoreCore

    public init(core: StoreCore) {
        self.core = core
    }


    /// Adds due work for `taskId` at `runAt` unless its dedupe key was used within its window (or,
    /// for events, this task already fired for `eventId`). Returns the due item's id, or `nil` when
    /// suppressed. A task that is not active is refused.
    public func enqueue(taskId: String, runAt: Int64? = nil, trigger: RunTrigger, context: JSONValue = [:],
                        eventId: String? = nil, actor: String) async throws(StoreError) -> Int64? {
        let now = clock()
        let id = try await database.transaction { connection throws(StoreError) -> Int64? in
            guard let row = try connection.execute("SELECT \(TaskRows.columns) FROM tasks WHERE id = $1", .text(taskId)).first else {
                throw .notFound("no task with id \(taskId)")
            }
            let task = TaskRows.task(from: row)
            guard task.status == .active else { throw .conflict("task \(taskId) is \(task.status.rawValue); resume it first") }
            return try Self.insertDue(connection, task: task, runAt: runAt ?? now, now: now, trigger: trigger,
                                      context: context, eventId: eventId, actor: actor)
        }
        if id != nil { doorbell.ring() }
        return id
    }

    static func insertDue(_ connection: any SQLConnection, task: TaskRecord, runAt: Int64, now: Int64, trigger: RunTrigger,
                          attempt: Int = 1, context: JSONValue, eventId: String?, actor: String) throws(StoreError) -> Int64? {
        if let eventId {
            let fresh = try connection.execute(
                "INSERT INTO event_firings (task_id, event_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING task_id",
                .text(task.id), .text(eventId), .integer(now))
            if fresh.isEmpty { return nil }
        }
        if attempt == 1, let key = task.dedupeKey, task.dedupeWindowSeconds > 0 {
            let claimed = try connection.execute(
                """
                INSERT INTO dedupe_keys (dedupe_key, expires_at) VALUES ($1, $2)
                ON CONFLICT (dedupe_key) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe_keys.expires_at <= $3
                RETURNING dedupe_key
                """, .text(key), .integer(now + Int64(task.dedupeWindowSeconds) * 1000), .integer(now))
            if claimed.isEmpty {
                try AuditLog.write(connection, at: now, actor: actor, action: "run.deduplicated", task: task.id,
                                   details: ["dedupe_key": .string(key), "trigger": .string(trigger.rawValue)])
                return nil
            }
        }
        let rows = try connection.execute(
            """
            INSERT INTO due_work (task_id, run_at, priority, attempt, trigger_kind, context, concurrency_key, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
            """,
            .text(task.id), .integer(runAt), SQLValue(task.priority), SQLValue(attempt), .text(trigger.rawValue),
            SQLValue(json: context), SQLValue(task.concurrencyKey), .integer(now))
        if let notifying = connection as? any NotifyingConnection { try notifying.notifyWork() }
        try AuditLog.write(connection, at: now, actor: actor, action: "run.enqueued", task: task.id,
                           details: ["trigger": .string(trigger.rawValue), "attempt": .integer(Int64(attempt)), "run_at": .integer(runAt)])
        return rows.first?.integer(0)
    }

    /// One scheduled firing decided by the scheduler: due work at each of `fires`, then `next`.
    public struct Firing: Sendable {
        public var fires: [Int64]
        public var next: Int64?

        public init(fires: [Int64], next: Int64?) {
            self.fires = fires
            self.next = next
        }
    }

    /// Produces the work of every active task whose `next_run_at` has come, in one transaction per
    /// batch. `plan` decides the firings of each task (misfire policy, next occurrence). A task is
    /// advanced only if its `next_run_at` is still what was read, so two schedulers never fire it twice.
    /// Returns how many due tasks were read (`limit` means there may be more).
    public func fireDueTasks(limit: Int = 500, actor: String,
                             plan: @escaping @Sendable (TaskRecord, Int64) -> Firing) async throws(StoreError) -> Int {
        let now = clock()
        let planning = database.dialect.planForParameters
        let tick = Self.tickQueries(database.dialect)
        let (read, added) = try await database.transaction { connection throws(StoreError) -> (Int, Int) in
            if let planning { try connection.execute(planning, []) }
            let rows = try connection.execute(tick.due, .integer(now), SQLValue(limit))
            var added = 0
            for row in rows {
                let task = TaskRows.task(from: row)
                let firing = plan(task, now)
                let advanced = try connection.execute(
                    "UPDATE tasks SET next_run_at = $1 WHERE id = $2 AND next_run_at = $3 AND status = 'active' RETURNING id",
                    SQLValue(firing.next), .text(task.id), SQLValue(task.nextRunAt))
                guard !advanced.isEmpty else { continue }
                for at in firing.fires {
                    let context: JSONValue = ["scheduled_for": .integer(at)]
                    if try Self.insertDue(connection, task: task, runAt: max(at, task.snoozedUntil ?? at), now: now,
                                          trigger: .schedule, context: context, eventId: nil, actor: actor) != nil {
                        added += 1
                    }
                }
            }
            return (rows.count, added)
        }
        if added > 0 { doorbell.ring() }
        return read
    }

    /// The earliest `next_run_at` of an active task, for the scheduler's sleep.
    public func nextFireTime() async throws(StoreError) -> Int64? {
        let planning = database.dialect.planForParameters
        let next = Self.tickQueries(database.dialect).next
        return try await database.transaction { connection throws(StoreError) -> Int64? in
            if let planning { try connection.execute(planning, []) }
            // A parameter, so that PostgreSQL plans it afresh (parameterless statements keep their first plan).
            return try connection.execute(next, .integer(Int64.min)).first?.integer(0)
        }
    }

    /// The scheduler's two queries per tick: the due tasks (`$1` now, `$2` limit) and the earliest
    /// fire time (`$1` a lower bound). Both read `tasks_next_run`, which holds only active tasks with
    /// a fire time, so a tick costs the same beside any number of idle or paused tasks; SQLite is
    /// told so, since without statistics it prefers `tasks_by_status` and reads every active task.
    static func tickQueries(_ dialect: SQLDialect) -> (due: String, next: String) {
        let tasks = dialect.table("tasks", indexedBy: "tasks_next_run")
        return ("SELECT \(TaskRows.columns) FROM \(tasks) WHERE status = 'active' AND next_run_at IS NOT NULL AND next_run_at <= $1 ORDER BY next_run_at LIMIT $2",
                "SELECT MIN(next_run_at) FROM \(tasks) WHERE status = 'active' AND next_run_at >= $1")
    }
}
