import Foundation
import OrdinautCore
import Synchronization

/// Tasks, due work, runs, approvals and the audit log over a `SQLDatabase`. One implementation
/// serves SQLite and PostgreSQL; both pass the same contract suite.
///
/// Every state change writes its audit line in the same transaction. Work is claimed with a lease
/// (`locked_by`, `locked_until`); a worker that stops renewing loses it to the next claimer, and
/// every write a worker makes about its run is fenced by the lease it holds.
public final class TaskStore: Sendable {
    public let database: any SQLDatabase
    /// Rung when this process adds due work, and (PostgreSQL) when any process does.
    public let doorbell = Doorbell()
    /// Milliseconds since 1970.
    public let clock: @Sendable () -> Int64

    public init(database: any SQLDatabase, clock: @escaping @Sendable () -> Int64 = TaskStore.systemClock) {
        self.database = database
        self.clock = clock
        database.listenForWork(doorbell)
    }

    public static let systemClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A new id: a UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, a 12-bit counter that keeps ids
    /// of the same millisecond in order within this process, then random bits — so ids sort by
    /// creation and new rows land at the end of their primary-key index instead of on a random page.
    public static func newID() -> String {
        let (milliseconds, counter) = idClock.withLock { state -> (UInt64, UInt16) in
            let now = UInt64(systemClock())
            if now > state.milliseconds {
                state = (now, 0)
            } else if state.counter == 0x0FFF {
                state = (state.milliseconds + 1, 0)
            } else {
                state.counter += 1
            }
            return (state.milliseconds, state.counter)
        }
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let hex = Array(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }

    private static let idClock = Mutex<(milliseconds: UInt64, counter: UInt16)>((0, 0))

    static let taskColumns = """
        id, title, description, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority, \
        dedupe_key, dedupe_window_seconds, max_retries, backoff_strategy, concurrency_key, created_at, updated_at, \
        next_run_at, dtstart, snoozed_until, creator_scopes
        """

    /// `$1, $2, …`, one placeholder per column of `taskColumns`.
    static let taskPlaceholders = (1...taskColumns.split(separator: ",").count).map { "$\($0)" }.joined(separator: ", ")

    /// The column list and parameters of a task row, for bulk loading (benchmarks, imports).
    public static var columnList: String { taskColumns }
    public static func parameterList(of task: TaskRecord) -> [SQLValue] { parameters(of: task) }
    /// The placeholders matching `columnList`: `$1, $2, …`.
    public static var placeholderList: String { taskPlaceholders }

    static func task(from row: SQLRow, at offset: Int = 0) -> TaskRecord {
        let o = offset
        return TaskRecord(
            id: row.text(o)!, title: row.text(o + 1) ?? "", description: row.text(o + 2), createdBy: row.text(o + 3) ?? "",
            scheduleKind: ScheduleKind(rawValue: row.text(o + 4) ?? "") ?? .once, scheduleExpr: row.text(o + 5),
            timezone: row.text(o + 6) ?? "UTC", payload: row.json(o + 7),
            status: TaskStatus(rawValue: row.text(o + 8) ?? "") ?? .paused, priority: row.int(o + 9),
            dedupeKey: row.text(o + 10), dedupeWindowSeconds: row.int(o + 11), maxRetries: row.int(o + 12),
            backoffStrategy: BackoffStrategy(rawValue: row.text(o + 13) ?? "") ?? .exponentialJitter,
            concurrencyKey: row.text(o + 14), createdAt: row.integer(o + 15) ?? 0, updatedAt: row.integer(o + 16),
            nextRunAt: row.integer(o + 17), dtstart: row.integer(o + 18), snoozedUntil: row.integer(o + 19),
            creatorScopes: row.text(o + 20) == nil ? nil : row.json(o + 20).arrayValue?.compactMap(\.stringValue))
    }

    static func parameters(of task: TaskRecord) -> [SQLValue] {
        [
            .text(task.id), .text(task.title), SQLValue(task.description), .text(task.createdBy),
            .text(task.scheduleKind.rawValue), SQLValue(task.scheduleExpr), .text(task.timezone), SQLValue(json: task.payload),
            .text(task.status.rawValue), SQLValue(task.priority), SQLValue(task.dedupeKey), SQLValue(task.dedupeWindowSeconds),
            SQLValue(task.maxRetries), .text(task.backoffStrategy.rawValue), SQLValue(task.concurrencyKey),
            .integer(task.createdAt), .integer(task.updatedAt), SQLValue(task.nextRunAt), .integer(task.dtstart),
            SQLValue(task.snoozedUntil), task.creatorScopes.map { SQLValue(json: .array($0.map(JSONValue.string))) } ?? .null,
        ]
    }

    static let runColumns = """
        id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at, started_at, finished_at, \
        error, output, context, takeovers, root_due_id
        """

    static func run(from row: SQLRow, at o: Int = 0) -> RunRecord {
        RunRecord(
            id: row.text(o)!, taskId: row.text(o + 1) ?? "", attempt: row.int(o + 2),
            trigger: RunTrigger(rawValue: row.text(o + 3) ?? "") ?? .schedule,
            status: RunStatus(rawValue: row.text(o + 4) ?? "") ?? .failed, leaseOwner: row.text(o + 5),
            leaseExpiresAt: row.integer(o + 6), createdAt: row.integer(o + 7) ?? 0, startedAt: row.integer(o + 8),
            finishedAt: row.integer(o + 9), error: row.text(o + 10), output: row.json(o + 11), context: row.json(o + 12),
            takeovers: row.int(o + 13), rootDueId: row.integer(o + 14))
    }

    static func audit(_ connection: any SQLConnection, at: Int64, actor: String, action: String, task: String?,
                      run: String? = nil, details: JSONValue = [:]) throws(StoreError) {
        try connection.execute(
            "INSERT INTO audit_log (at, actor, action, task_id, run_id, details) VALUES ($1, $2, $3, $4, $5, $6)",
            .integer(at), .text(actor), .text(action), SQLValue(task), SQLValue(run), SQLValue(json: details))
    }

    // MARK: Tasks

    /// Stores a new task (validated by the caller).
    public func createTask(_ task: TaskRecord, actor: String) async throws(StoreError) {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("INSERT INTO tasks (\(Self.taskColumns)) VALUES (\(Self.taskPlaceholders))", Self.parameters(of: task))
            try Self.audit(connection, at: task.createdAt, actor: actor, action: "task.create", task: task.id,
                           details: ["title": .string(task.title), "schedule_kind": .string(task.scheduleKind.rawValue)])
        }
    }

    public func task(id: String) async throws(StoreError) -> TaskRecord {
        try await database.transaction { connection throws(StoreError) in
            guard let row = try connection.execute("SELECT \(Self.taskColumns) FROM tasks WHERE id = $1", .text(id)).first else {
                throw .notFound("no task with id \(id)")
            }
            return Self.task(from: row)
        }
    }

    /// Changes a task under its row lock: `change` sees the current record and edits it (throwing
    /// to refuse); the new record is written with `action` in the audit log. Work of a task that
    /// stops being active is removed unless a worker holds it.
    @discardableResult
    public func updateTask(id: String, actor: String, action: String, details: JSONValue = [:],
                           _ change: @escaping @Sendable (inout TaskRecord, Int64) throws(StoreError) -> Void) async throws(StoreError) -> TaskRecord {
        let now = clock()
        let forUpdate = database.dialect.name == "postgres" ? "FOR UPDATE" : ""
        let updated = try await database.transaction { connection throws(StoreError) -> TaskRecord in
            guard let row = try connection.execute("SELECT \(Self.taskColumns) FROM tasks WHERE id = $1 \(forUpdate)", .text(id)).first else {
                throw .notFound("no task with id \(id)")
            }
            var task = Self.task(from: row)
            try change(&task, now)
            task.updatedAt = now
            let assignments = Self.taskColumns.split(separator: ",").dropFirst().enumerated()
                .map { "\($0.element.trimmingCharacters(in: .whitespaces)) = $\($0.offset + 2)" }.joined(separator: ", ")
            try connection.execute("UPDATE tasks SET \(assignments) WHERE id = $1", Self.parameters(of: task))
            if task.status != .active {
                try connection.execute("DELETE FROM due_work WHERE task_id = $1 AND locked_by IS NULL", .text(id))
            }
            try Self.audit(connection, at: now, actor: actor, action: action, task: id, details: details)
            return task
        }
        if updated.status == .active { doorbell.ring() }
        return updated
    }

    // MARK: Producing work

    /// Adds due work for `taskId` at `runAt` unless its dedupe key was used within its window (or,
    /// for events, this task already fired for `eventId`). Returns the due item's id, or `nil` when
    /// suppressed. A task that is not active is refused.
    public func enqueue(taskId: String, runAt: Int64? = nil, trigger: RunTrigger, context: JSONValue = [:],
                        eventId: String? = nil, actor: String) async throws(StoreError) -> Int64? {
        let now = clock()
        let id = try await database.transaction { connection throws(StoreError) -> Int64? in
            guard let row = try connection.execute("SELECT \(Self.taskColumns) FROM tasks WHERE id = $1", .text(taskId)).first else {
                throw .notFound("no task with id \(taskId)")
            }
            let task = Self.task(from: row)
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
                try audit(connection, at: now, actor: actor, action: "run.deduplicated", task: task.id,
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
        try audit(connection, at: now, actor: actor, action: "run.enqueued", task: task.id,
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
        let (read, added) = try await database.transaction { connection throws(StoreError) -> (Int, Int) in
            if let planning { try connection.execute(planning, []) }
            let rows = try connection.execute(
                "SELECT \(Self.taskColumns) FROM tasks WHERE status = 'active' AND next_run_at IS NOT NULL AND next_run_at <= $1 ORDER BY next_run_at LIMIT $2",
                .integer(now), SQLValue(limit))
            var added = 0
            for row in rows {
                let task = Self.task(from: row)
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
        return try await database.transaction { connection throws(StoreError) -> Int64? in
            if let planning { try connection.execute(planning, []) }
            // A parameter, so that PostgreSQL plans it afresh (parameterless statements keep their first plan).
            return try connection.execute("SELECT MIN(next_run_at) FROM tasks WHERE status = 'active' AND next_run_at >= $1",
                                          .integer(Int64.min)).first?.integer(0)
        }
    }

    /// The tasks event `eventId` started (by whichever process handled it first).
    public func tasksFired(byEvent eventId: String) async throws(StoreError) -> [String] {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("SELECT task_id FROM event_firings WHERE event_id = $1 ORDER BY task_id", .text(eventId)).compactMap { $0.text(0) }
        }
    }

    /// Active `event` and `condition` tasks.
    public func triggeredTasks() async throws(StoreError) -> [TaskRecord] {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute(
                "SELECT \(Self.taskColumns) FROM tasks WHERE status = 'active' AND schedule_kind IN ('event', 'condition')"
            ).map { Self.task(from: $0) }
        }
    }

    // MARK: Leadership

    /// Takes or keeps the lease `name` for `holder` for `ttl` milliseconds; returns whether `holder` has it.
    public func lead(_ name: String, holder: String, ttl: Int64) async throws(StoreError) -> Bool {
        let now = clock()
        return try await database.transaction { connection throws(StoreError) in
            let rows = try connection.execute(
                """
                INSERT INTO leader_leases (name, holder, expires_at) VALUES ($1, $2, $3)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE leader_leases.holder = excluded.holder OR leader_leases.expires_at < $4
                RETURNING holder
                """, .text(name), .text(holder), .integer(now + ttl), .integer(now))
            return !rows.isEmpty
        }
    }

    /// Gives up the lease `name` if `holder` has it, so another node takes over at once.
    public func resign(_ name: String, holder: String) async throws(StoreError) {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("DELETE FROM leader_leases WHERE name = $1 AND holder = $2", .text(name), .text(holder))
        }
    }

    /// Records that `worker` is alive.
    public func heartbeat(worker: String, hostname: String, startedAt: Int64) async throws(StoreError) {
        let now = clock()
        try await database.transaction { connection throws(StoreError) in
            try connection.execute(
                """
                INSERT INTO workers (id, hostname, started_at, heartbeat_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                """, .text(worker), .text(hostname), .integer(startedAt), .integer(now))
            try connection.execute("DELETE FROM workers WHERE heartbeat_at < $1", .integer(now - 3_600_000))
        }
    }
}

/// A connection that can tell other processes that work was added (PostgreSQL `NOTIFY`, sent at commit).
public protocol NotifyingConnection: SQLConnection {
    func notifyWork() throws(StoreError)
}
