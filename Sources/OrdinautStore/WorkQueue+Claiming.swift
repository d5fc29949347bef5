import Foundation
import OrdinautCore

// Claiming due work: leases, renewal, hand-back.

extension WorkQueue {
    /// Claims up to `limit` due items for `worker`, highest priority first, then oldest: each gets a
    /// lease of `lease` milliseconds and a run row (new, or the one whose previous holder died).
    /// Items whose `concurrency_key` is held by a live lease are passed over.
    public func claim(worker: String, limit: Int, lease: Int64) async throws(StoreError) -> [ClaimedWork] {
        let now = clock()
        let usesWritingCTEs = database.dialect.writingCTEs
        let choose = usesWritingCTEs ? Self.chooseDue.postgres : Self.chooseDue.sqlite
        return try await database.transaction { connection throws(StoreError) -> [ClaimedWork] in
            let rows = try connection.execute(choose, .integer(now), SQLValue(limit))
            var claimed: [ClaimedWork] = []
            // PostgreSQL: fresh runs of active tasks without a concurrency key are created in one
            // statement; the rest (takeovers, keys, inactive tasks, and everything on SQLite) one by one below.
            var batched: Set<Int64> = []
            if usesWritingCTEs {
                let simple = rows.filter { $0.text(5) == nil && $0.text(4) == nil && $0.text(7 + 8) == TaskStatus.active.rawValue }
                if !simple.isEmpty {
                    claimed = try Self.claimFresh(connection, simple, worker: worker, now: now, lease: lease)
                    batched = Set(simple.compactMap { $0.integer(0) })
                }
            }
            for row in rows {
                let dueId = row.integer(0)!
                if batched.contains(dueId) { continue }
                let task = TaskRows.task(from: row, at: 7)
                let expires = now + lease
                let token = worker + "/" + String(UInt32.random(in: .min ... .max), radix: 16)
                let previousRun = row.text(5)
                if task.status != .active {
                    try connection.execute("DELETE FROM due_work WHERE id = $1", .integer(dueId))
                    if let previousRun {
                        try connection.execute(
                            "UPDATE runs SET status = 'canceled', finished_at = $1, lease_owner = NULL, error = $2 WHERE id = $3 AND status IN ('running', 'waiting')",
                            .integer(now), .text("the task was \(task.status.rawValue)"), .text(previousRun))
                    }
                    continue
                }
                if let key = row.text(4) {
                    let locked = try connection.execute(
                        """
                        INSERT INTO concurrency_locks (lock_key, due_id, expires_at) VALUES ($1, $2, $3)
                        ON CONFLICT (lock_key) DO UPDATE SET due_id = excluded.due_id, expires_at = excluded.expires_at
                        WHERE concurrency_locks.expires_at < $4 OR concurrency_locks.due_id = excluded.due_id
                        RETURNING lock_key
                        """, .text(key), .integer(dueId), .integer(expires), .integer(now))
                    if locked.isEmpty { continue }
                }
                let runId = previousRun ?? UUIDv7.make()
                try connection.execute("UPDATE due_work SET locked_by = $1, locked_until = $2, run_id = $3 WHERE id = $4",
                                       .text(token), .integer(expires), .text(runId), .integer(dueId))
                let runRow: SQLRow?
                if previousRun == nil {
                    runRow = try connection.execute(
                        """
                        INSERT INTO runs (id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at,
                                          started_at, output, context, takeovers, due_id, root_due_id)
                        VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $7, '{}', $8, 0, $9, $10) RETURNING \(RunRows.columns)
                        """,
                        .text(runId), .text(task.id), SQLValue(row.int(1)), .text(row.text(2) ?? "schedule"), .text(worker),
                        .integer(expires), .integer(now), .text(row.text(3) ?? "{}"), .integer(dueId), SQLValue(row.integer(6))).first
                } else {
                    runRow = try connection.execute(
                        """
                        UPDATE runs SET takeovers = takeovers + (CASE WHEN status = 'running' THEN 1 ELSE 0 END),
                            status = 'running', lease_owner = $1, lease_expires_at = $2, started_at = COALESCE(started_at, $3)
                        WHERE id = $4 RETURNING \(RunRows.columns)
                        """, .text(worker), .integer(expires), .integer(now), .text(runId)).first
                }
                guard let runRow else { throw .unavailable("run \(runId) of due item \(dueId) is missing") }
                let run = RunRows.run(from: runRow)
                try AuditLog.write(connection, at: now, actor: worker, action: run.takeovers > 0 && previousRun != nil ? "run.taken_over" : "run.started",
                                   task: task.id, run: runId, details: ["attempt": .integer(Int64(run.attempt))])
                claimed.append(ClaimedWork(dueId: dueId, task: task, run: run, lease: token, leaseExpiresAt: expires, dueContext: row.json(3),
                                           dueAt: Self.dueAt(row), takenOver: run.takeovers > 0 && previousRun != nil))
            }
            // In the order the items were chosen: priority, then time.
            let order = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($0.element.integer(0)!, $0.offset) })
            return claimed.sorted { order[$0.dueId]! < order[$1.dueId]! }
        }
    }

    /// The due items a claim takes, with their tasks (`$1` now, `$2` the limit), in each dialect.
    private static let chooseDue = (sqlite: chooseDueQuery(.sqlite), postgres: chooseDueQuery(.postgres))

    private static func chooseDueQuery(_ dialect: SQLDialect) -> String {
        """
        SELECT d.id, d.attempt, d.trigger_kind, d.context, d.concurrency_key, d.run_id, COALESCE(d.root_id, d.id), \(TaskRows.qualifiedColumns), d.run_at
        FROM due_work d JOIN tasks t ON t.id = d.task_id
        WHERE d.run_at <= $1 AND (d.locked_until IS NULL OR d.locked_until < $1)
        ORDER BY d.priority DESC, d.run_at, d.id LIMIT $2 \(dialect.skipLocked)
        """
    }

    /// `claimFresh`'s statement: `$1` the items as JSON, `$2` the lease's end, `$3` now, `$4` the
    /// worker, `$5` the due ids as an array, which names the rows to the planner (it cannot see into
    /// `$1`, guesses 100 rows, and would otherwise read all of `due_work` for each claim).
    static let claimFreshStatement = """
        WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(due_id bigint, token text, run_id text, task_id text,
                       attempt integer, trigger_kind text, context text, root bigint, details text)),
             locked AS (UPDATE due_work d SET locked_by = i.token, locked_until = $2, run_id = i.run_id FROM input i
                        WHERE d.id = ANY ($5::bigint[]) AND d.id = i.due_id),
             logged AS (INSERT INTO audit_log (at, actor, action, task_id, run_id, details)
                        SELECT $3, $4, 'run.started', i.task_id, i.run_id, i.details FROM input i)
        INSERT INTO runs (id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at, started_at, output,
                          context, takeovers, due_id, root_due_id)
        SELECT i.run_id, i.task_id, i.attempt, i.trigger_kind, 'running', $4, $2, $3, $3, '{}', i.context, 0, i.due_id, i.root FROM input i
        RETURNING \(RunRows.columns)
        """

    /// Locks `rows` (fresh due items of active tasks), creates their runs and records their start, in one statement (PostgreSQL).
    private static func claimFresh(_ connection: any SQLConnection, _ rows: [SQLRow], worker: String, now: Int64,
                                   lease: Int64) throws(StoreError) -> [ClaimedWork] {
        let expires = now + lease
        var inputs: [JSONValue] = []
        var pending: [String: (row: SQLRow, token: String)] = [:]
        for row in rows {
            let runID = UUIDv7.make()
            let token = worker + "/" + String(UInt32.random(in: .min ... .max), radix: 16)
            pending[runID] = (row, token)
            inputs.append([
                "due_id": .integer(row.integer(0)!), "token": .string(token), "run_id": .string(runID), "task_id": .string(row.text(7)!),
                "attempt": .integer(Int64(row.int(1))), "trigger_kind": .string(row.text(2) ?? "schedule"), "context": .string(row.text(3) ?? "{}"),
                "root": .integer(row.integer(6)!), "details": .string(JSONValue.object(["attempt": .integer(Int64(row.int(1)))]).encodedString()),
            ])
        }
        let created = try connection.execute(claimFreshStatement, .text(JSONValue.array(inputs).encodedString()), .integer(expires),
                                             .integer(now), .text(worker), SQLValue(postgresArray: rows.compactMap { $0.integer(0) }))
        var claimed: [ClaimedWork] = []
        for runRow in created {
            let run = RunRows.run(from: runRow)
            guard let (row, token) = pending[run.id] else { continue }
            claimed.append(ClaimedWork(dueId: row.integer(0)!, task: TaskRows.task(from: row, at: 7), run: run, lease: token,
                                       leaseExpiresAt: expires, dueContext: row.json(3), dueAt: Self.dueAt(row)))
        }
        guard claimed.count == rows.count else { throw .unavailable("a batch claim created \(claimed.count) of \(rows.count) runs") }
        return claimed
    }

    /// When the claimed item became due: the last column of the claim's query.
    private static func dueAt(_ row: SQLRow) -> Int64 {
        row.integer(row.values.count - 1) ?? 0
    }

    /// Extends a lease by `lease` milliseconds; `false` when it was lost (expired and taken over).
    public func renew(_ work: ClaimedWork, lease: Int64) async throws(StoreError) -> Bool {
        let now = clock()
        return try await database.transaction { connection throws(StoreError) -> Bool in
            let expires = now + lease
            let held = try connection.execute(
                "UPDATE due_work SET locked_until = $1 WHERE id = $2 AND locked_by = $3 RETURNING id",
                .integer(expires), .integer(work.dueId), .text(work.lease))
            guard !held.isEmpty else { return false }
            try connection.execute("UPDATE runs SET lease_expires_at = $1 WHERE id = $2", .integer(expires), .text(work.run.id))
            try connection.execute("UPDATE concurrency_locks SET expires_at = $1 WHERE due_id = $2", .integer(expires), .integer(work.dueId))
            return true
        }
    }

    /// Gives a claimed item back without finishing it (this process is stopping): it is due again at
    /// once, and its run is taken over by the next claimer.
    public func release(_ work: ClaimedWork) async throws(StoreError) {
        try await database.transaction { connection throws(StoreError) in
            let held = try connection.execute(
                "UPDATE due_work SET locked_by = NULL, locked_until = NULL WHERE id = $1 AND locked_by = $2 RETURNING id",
                .integer(work.dueId), .text(work.lease))
            guard !held.isEmpty else { return }
            try connection.execute("UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1", .text(work.run.id))
            try connection.execute("DELETE FROM concurrency_locks WHERE due_id = $1", .integer(work.dueId))
            if let notifying = connection as? any NotifyingConnection { try notifying.notifyWork() }
        }
        doorbell.ring()
    }
}
