import Foundation
import OrdinautCore

extension ClaimedWork {
    /// What the due item carried besides the run: `{"resume": {...}}` when an approval was answered.
    public var resume: JSONValue? { dueContext["resume"] }
}

extension TaskStore {
    /// Claims up to `limit` due items for `worker`, highest priority first, then oldest: each gets a
    /// lease of `lease` milliseconds and a run row (new, or the one whose previous holder died).
    /// Items whose `concurrency_key` is held by a live lease are passed over.
    public func claim(worker: String, limit: Int, lease: Int64) async throws(StoreError) -> [ClaimedWork] {
        let now = clock()
        let skipLocked = database.dialect.skipLocked
        let taskColumns = Self.taskColumns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        let usesWritingCTEs = database.dialect.writingCTEs
        return try await database.transaction { connection throws(StoreError) -> [ClaimedWork] in
            let rows = try connection.execute(
                """
                SELECT d.id, d.attempt, d.trigger_kind, d.context, d.concurrency_key, d.run_id, COALESCE(d.root_id, d.id), \(taskColumns)
                FROM due_work d JOIN tasks t ON t.id = d.task_id
                WHERE d.run_at <= $1 AND (d.locked_until IS NULL OR d.locked_until < $1)
                ORDER BY d.priority DESC, d.run_at, d.id LIMIT $2 \(skipLocked)
                """, .integer(now), SQLValue(limit))
            var claimed: [ClaimedWork] = []
            // PostgreSQL: fresh runs of active tasks without a concurrency key are created for the whole
            // batch in one statement; the rest (takeovers, keys, inactive tasks) one by one below.
            var batched: Set<Int64> = []
            if usesWritingCTEs {
                let simple = rows.filter { $0.text(5) == nil && $0.text(4) == nil && $0.text(7 + 8) == TaskStatus.active.rawValue }
                if simple.count >= 8 {
                    claimed = try Self.claimFresh(connection, simple, worker: worker, now: now, lease: lease)
                    batched = Set(simple.compactMap { $0.integer(0) })
                }
            }
            for row in rows {
                let dueId = row.integer(0)!
                if batched.contains(dueId) { continue }
                let task = Self.task(from: row, at: 7)
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
                let runId = previousRun ?? Self.newID()
                let run: RunRecord
                if previousRun == nil && usesWritingCTEs {
                    // PostgreSQL: lock the item, record the start and create the run in one round trip.
                    guard let created = try connection.execute(
                        """
                        WITH locked AS (UPDATE due_work SET locked_by = $11, locked_until = $6, run_id = $1 WHERE id = $9),
                             logged AS (INSERT INTO audit_log (at, actor, action, task_id, run_id, details)
                                        VALUES ($7, $5, 'run.started', $2, $1, $12))
                        INSERT INTO runs (id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at,
                                          started_at, output, context, takeovers, due_id, root_due_id)
                        VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $7, '{}', $8, 0, $9, $10) RETURNING \(Self.runColumns)
                        """,
                        .text(runId), .text(task.id), SQLValue(row.int(1)), .text(row.text(2) ?? "schedule"), .text(worker),
                        .integer(expires), .integer(now), .text(row.text(3) ?? "{}"), .integer(dueId), SQLValue(row.integer(6)),
                        .text(token), SQLValue(json: ["attempt": .integer(Int64(row.int(1)))])).first else {
                        throw .unavailable("run \(runId) of due item \(dueId) was not created")
                    }
                    run = Self.run(from: created)
                } else {
                    try connection.execute("UPDATE due_work SET locked_by = $1, locked_until = $2, run_id = $3 WHERE id = $4",
                                           .text(token), .integer(expires), .text(runId), .integer(dueId))
                    let runRow: SQLRow?
                    if previousRun == nil {
                        runRow = try connection.execute(
                            """
                            INSERT INTO runs (id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at,
                                              started_at, output, context, takeovers, due_id, root_due_id)
                            VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $7, '{}', $8, 0, $9, $10) RETURNING \(Self.runColumns)
                            """,
                            .text(runId), .text(task.id), SQLValue(row.int(1)), .text(row.text(2) ?? "schedule"), .text(worker),
                            .integer(expires), .integer(now), .text(row.text(3) ?? "{}"), .integer(dueId), SQLValue(row.integer(6))).first
                    } else {
                        runRow = try connection.execute(
                            """
                            UPDATE runs SET takeovers = takeovers + (CASE WHEN status = 'running' THEN 1 ELSE 0 END),
                                status = 'running', lease_owner = $1, lease_expires_at = $2, started_at = COALESCE(started_at, $3)
                            WHERE id = $4 RETURNING \(Self.runColumns)
                            """, .text(worker), .integer(expires), .integer(now), .text(runId)).first
                    }
                    guard let runRow else { throw .unavailable("run \(runId) of due item \(dueId) is missing") }
                    run = Self.run(from: runRow)
                    try Self.audit(connection, at: now, actor: worker, action: run.takeovers > 0 && previousRun != nil ? "run.taken_over" : "run.started",
                                   task: task.id, run: runId, details: ["attempt": .integer(Int64(run.attempt))])
                }
                claimed.append(ClaimedWork(dueId: dueId, task: task, run: run, lease: token, leaseExpiresAt: expires, dueContext: row.json(3)))
            }
            return claimed
        }
    }

    /// Locks `rows` (fresh due items of active tasks), creates their runs and records their start, in one statement.
    private static func claimFresh(_ connection: any SQLConnection, _ rows: [SQLRow], worker: String, now: Int64,
                                   lease: Int64) throws(StoreError) -> [ClaimedWork] {
        let expires = now + lease
        var inputs: [JSONValue] = []
        var pending: [String: (row: SQLRow, token: String)] = [:]
        for row in rows {
            let runID = newID()
            let token = worker + "/" + String(UInt32.random(in: .min ... .max), radix: 16)
            pending[runID] = (row, token)
            inputs.append([
                "due_id": .integer(row.integer(0)!), "token": .string(token), "run_id": .string(runID), "task_id": .string(row.text(7)!),
                "attempt": .integer(Int64(row.int(1))), "trigger_kind": .string(row.text(2) ?? "schedule"), "context": .string(row.text(3) ?? "{}"),
                "root": .integer(row.integer(6)!), "details": .string(JSONValue.object(["attempt": .integer(Int64(row.int(1)))]).encodedString()),
            ])
        }
        let created = try connection.execute(
            """
            WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(due_id bigint, token text, run_id text, task_id text,
                           attempt integer, trigger_kind text, context text, root bigint, details text)),
                 locked AS (UPDATE due_work d SET locked_by = i.token, locked_until = $2, run_id = i.run_id FROM input i WHERE d.id = i.due_id),
                 logged AS (INSERT INTO audit_log (at, actor, action, task_id, run_id, details)
                            SELECT $3, $4, 'run.started', i.task_id, i.run_id, i.details FROM input i)
            INSERT INTO runs (id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at, started_at, output,
                              context, takeovers, due_id, root_due_id)
            SELECT i.run_id, i.task_id, i.attempt, i.trigger_kind, 'running', $4, $2, $3, $3, '{}', i.context, 0, i.due_id, i.root FROM input i
            RETURNING \(runColumns)
            """, .text(JSONValue.array(inputs).encodedString()), .integer(expires), .integer(now), .text(worker))
        var claimed: [ClaimedWork] = []
        for runRow in created {
            let run = Self.run(from: runRow)
            guard let (row, token) = pending[run.id] else { continue }
            claimed.append(ClaimedWork(dueId: row.integer(0)!, task: Self.task(from: row, at: 7), run: run, lease: token,
                                       leaseExpiresAt: expires, dueContext: row.json(3)))
        }
        guard claimed.count == rows.count else { throw .unavailable("a batch claim created \(claimed.count) of \(rows.count) runs") }
        return claimed.sorted { $0.dueId < $1.dueId }
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

    /// How a run ended, as the worker decided.
    public enum Outcome: Sendable {
        case succeeded
        /// Failed; `retryAt` schedules the next attempt (nil: none, the run is dead-lettered).
        case failed(error: String, retryAt: Int64?)
        /// Parked at an approval step until someone answers.
        case waiting(ApprovalRequest)
        case canceled(reason: String)
    }

    public struct ApprovalRequest: Sendable {
        public var stepId: String
        public var prompt: String

        public init(stepId: String, prompt: String) {
            self.stepId = stepId
            self.prompt = prompt
        }
    }

    /// A recorded end: the run as stored, and the MCP tasks that stand for its retry chain.
    public struct Finished: Sendable {
        public let run: RunRecord
        public let mcpTaskIDs: [String]
    }

    /// Records how a claimed run ended, fenced by its lease: if the lease was lost the store is left
    /// untouched and `StoreError.conflict` is thrown (the new holder finishes the run).
    @discardableResult
    public func finish(_ work: ClaimedWork, outcome: Outcome, output: JSONValue) async throws(StoreError) -> Finished {
        let now = clock()
        let writingCTEs = database.dialect.writingCTEs
        let ending: (Finished, Bool)
        if writingCTEs, let status = Self.finalStatus(outcome) {
            // PostgreSQL: one autocommitted statement.
            ending = try await database.autocommit { connection throws(StoreError) in
                (try Self.finishInOneStatement(connection, work, status: status, error: Self.message(of: outcome), output: output, now: now), false)
            }
        } else {
            ending = try await database.transaction { connection throws(StoreError) in
                try Self.finish(connection, work, outcome: outcome, output: output, now: now)
            }
        }
        if ending.1 { doorbell.ring() }
        return ending.0
    }

    /// One ending for `finishAll`.
    public struct Ending: Sendable {
        public let work: ClaimedWork
        public let outcome: Outcome
        public let output: JSONValue

        public init(work: ClaimedWork, outcome: Outcome, output: JSONValue) {
            self.work = work
            self.outcome = outcome
            self.output = output
        }
    }

    /// Records many endings in one transaction — one commit for a batch of runs. Each ending is fenced
    /// by its own lease: one that lost it gets `StoreError.conflict` and leaves nothing behind, the
    /// others are recorded. Any other failure fails them all (each may then be finished alone).
    public func finishAll(_ endings: [Ending]) async throws(StoreError) -> [Result<Finished, StoreError>] {
        let now = clock()
        let writingCTEs = database.dialect.writingCTEs
        if writingCTEs && endings.allSatisfy({ Self.finalStatus($0.outcome) != nil }) {
            // PostgreSQL, nothing scheduled further: one autocommitted statement for the whole batch.
            let recorded = try await database.autocommit { connection throws(StoreError) in
                try Self.finishFinal(connection, endings, now: now)
            }
            return endings.map { recorded[$0.work.run.id]! }
        }
        let results = try await database.transaction { connection throws(StoreError) -> [(Result<Finished, StoreError>, Bool)] in
            var results: [(Result<Finished, StoreError>, Bool)] = []
            // PostgreSQL: every ending that schedules nothing more, in one statement.
            var recorded: [String: Result<Finished, StoreError>] = [:]
            let final = endings.filter { Self.finalStatus($0.outcome) != nil }
            if writingCTEs && !final.isEmpty {
                recorded = try Self.finishFinal(connection, final, now: now)
            }
            for ending in endings {
                if let done = recorded[ending.work.run.id] {
                    results.append((done, false))
                    continue
                }
                do throws(StoreError) {
                    if writingCTEs, let status = Self.finalStatus(ending.outcome) {
                        results.append((.success(try Self.finishInOneStatement(
                            connection, ending.work, status: status, error: Self.message(of: ending.outcome), output: ending.output, now: now)), false))
                    } else {
                        let (finished, retried) = try Self.finish(connection, ending.work, outcome: ending.outcome, output: ending.output, now: now)
                        results.append((.success(finished), retried))
                    }
                } catch where error.kind == .conflict {
                    // The lease check is the first write, so a lost lease leaves nothing to undo.
                    results.append((.failure(error), false))
                }
            }
            return results
        }
        if results.contains(where: { $0.1 }) { doorbell.ring() }
        return results.map(\.0)
    }

    /// Records `endings` (each final: succeeded, dead or canceled) in one statement; an ending whose
    /// lease was lost gets `StoreError.conflict`.
    private static func finishFinal(_ connection: any SQLConnection, _ endings: [Ending], now: Int64) throws(StoreError) -> [String: Result<Finished, StoreError>] {
        let inputs: [JSONValue] = endings.map { ending in
            let status = finalStatus(ending.outcome)!
            let error = message(of: ending.outcome)
            var details: JSONObject = ["attempt": .integer(Int64(ending.work.run.attempt))]
            if let error { details["error"] = .string(String(error.prefix(500))) }
            return [
                "due_id": .integer(ending.work.dueId), "lease": .string(ending.work.lease), "status": .string(status.rawValue),
                "error": error.map(JSONValue.string) ?? .null, "output": .string(ending.output.encodedString()),
                "run_id": .string(ending.work.run.id), "actor": .string(ending.work.lease.split(separator: "/").first.map(String.init) ?? "worker"),
                "action": .string("run.\(status.rawValue)"), "task_id": .string(ending.work.task.id),
                "details": .string(JSONValue.object(details).encodedString()),
            ]
        }
        let qualified = runColumns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
        let rows = try connection.execute(
            """
            WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(due_id bigint, lease text, status text, error text, output text,
                           run_id text, actor text, action text, task_id text, details text)),
                 held AS (DELETE FROM due_work d USING input i WHERE d.id = i.due_id AND d.locked_by = i.lease RETURNING d.id),
                 unlocked AS (DELETE FROM concurrency_locks c USING held h WHERE c.due_id = h.id),
                 updated AS (UPDATE runs r SET status = i.status, finished_at = $2, error = i.error, output = i.output, lease_owner = NULL,
                                    lease_expires_at = NULL
                             FROM input i JOIN held h ON h.id = i.due_id WHERE r.id = i.run_id RETURNING \(qualified)),
                 logged AS (INSERT INTO audit_log (at, actor, action, task_id, run_id, details)
                            SELECT $2, i.actor, i.action, i.task_id, i.run_id, i.details FROM input i JOIN updated u ON u.id = i.run_id)
            SELECT u.*, (SELECT string_agg(m.id, ',') FROM mcp_tasks m WHERE m.root_due_id = u.root_due_id) FROM updated u
            """, .text(JSONValue.array(inputs).encodedString()), .integer(now))
        var results: [String: Result<Finished, StoreError>] = [:]
        for row in rows {
            let run = Self.run(from: row)
            results[run.id] = .success(Finished(run: run, mcpTaskIDs: row.text(15).map { $0.split(separator: ",").map(String.init) } ?? []))
        }
        for ending in endings where results[ending.work.run.id] == nil {
            results[ending.work.run.id] = .failure(.conflict("the lease on run \(ending.work.run.id) was lost; another worker holds it"))
        }
        return results
    }

    /// The status of an ending that schedules nothing more, or `nil` (a retry, an approval).
    private static func finalStatus(_ outcome: Outcome) -> RunStatus? {
        switch outcome {
        case .succeeded: return .succeeded
        case .failed(_, nil): return .dead
        case .canceled: return .canceled
        case .failed, .waiting: return nil
        }
    }

    private static func message(of outcome: Outcome) -> String? {
        switch outcome {
        case .failed(let error, _): return error
        case .canceled(let reason): return reason
        case .succeeded, .waiting: return nil
        }
    }

    /// `finish` on a connection inside a transaction; returns the ending and whether a retry was queued.
    private static func finish(_ connection: any SQLConnection, _ work: ClaimedWork, outcome: Outcome, output: JSONValue,
                               now: Int64) throws(StoreError) -> (Finished, Bool) {
        let held = try connection.execute("DELETE FROM due_work WHERE id = $1 AND locked_by = $2 RETURNING id",
                                          .integer(work.dueId), .text(work.lease))
        guard !held.isEmpty else { throw .conflict("the lease on run \(work.run.id) was lost; another worker holds it") }
        try connection.execute("DELETE FROM concurrency_locks WHERE due_id = $1", .integer(work.dueId))
        let status: RunStatus
        var error: String?
        var retry = false
        switch outcome {
        case .succeeded:
            status = .succeeded
        case .failed(let message, let retryAt):
            error = message
            let task = try connection.execute("SELECT status FROM tasks WHERE id = $1", .text(work.task.id)).first?.text(0)
            if let retryAt, task == TaskStatus.active.rawValue {
                status = .failed
                retry = true
                try connection.execute(
                    """
                    INSERT INTO due_work (task_id, run_at, priority, attempt, trigger_kind, context, concurrency_key, created_at, root_id)
                    VALUES ($1, $2, $3, $4, 'retry', $5, $6, $7, $8)
                    """,
                    .text(work.task.id), .integer(retryAt), SQLValue(work.task.priority), SQLValue(work.run.attempt + 1),
                    SQLValue(json: work.run.context), SQLValue(work.task.concurrencyKey), .integer(now), SQLValue(work.run.rootDueId))
                if let notifying = connection as? any NotifyingConnection { try notifying.notifyWork() }
            } else {
                status = .dead
            }
        case .waiting(let request):
            status = .waiting
            try connection.execute(
                "INSERT INTO approvals (run_id, task_id, step_id, prompt, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id) DO UPDATE SET step_id = excluded.step_id, prompt = excluded.prompt, created_at = excluded.created_at, answered_at = NULL, approved = NULL, answered_by = NULL, comment = NULL",
                .text(work.run.id), .text(work.task.id), .text(request.stepId), .text(request.prompt), .integer(now))
        case .canceled(let reason):
            status = .canceled
            error = reason
        }
        let row = try connection.execute(
            """
            UPDATE runs SET status = $1, finished_at = $2, error = $3, output = $4, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = $5 RETURNING \(Self.runColumns)
            """,
            .text(status.rawValue), status == .waiting ? .null : .integer(now), SQLValue(error), SQLValue(json: output),
            .text(work.run.id)).first
        guard let row else { throw .unavailable("run \(work.run.id) is missing") }
        var details: JSONObject = ["attempt": .integer(Int64(work.run.attempt))]
        if let error { details["error"] = .string(String(error.prefix(500))) }
        try Self.audit(connection, at: now, actor: work.lease.split(separator: "/").first.map(String.init) ?? "worker",
                       action: "run.\(status.rawValue)", task: work.task.id, run: work.run.id, details: .object(details))
        let linked = try work.run.rootDueId.map { root throws(StoreError) in
            try connection.execute("SELECT id FROM mcp_tasks WHERE root_due_id = $1", .integer(root)).compactMap { $0.text(0) }
        } ?? []
        return (Finished(run: Self.run(from: row), mcpTaskIDs: linked), retry)
    }

    /// `finish` for an ending that schedules nothing more, as one statement (PostgreSQL): one round
    /// trip instead of seven, and atomic on its own.
    private static func finishInOneStatement(_ connection: any SQLConnection, _ work: ClaimedWork, status: RunStatus,
                                             error: String?, output: JSONValue, now: Int64) throws(StoreError) -> Finished {
        var details: JSONObject = ["attempt": .integer(Int64(work.run.attempt))]
        if let error { details["error"] = .string(String(error.prefix(500))) }
        let actor = work.lease.split(separator: "/").first.map(String.init) ?? "worker"
        let parameters: [SQLValue] = [
            .integer(work.dueId), .text(work.lease), .text(status.rawValue), .integer(now), SQLValue(error), SQLValue(json: output),
            .text(work.run.id), .text(actor), .text("run.\(status.rawValue)"), .text(work.task.id), SQLValue(json: .object(details)),
            SQLValue(work.run.rootDueId),
        ]
        let columns = Self.runColumns
        let row = try connection.execute(
                """
                WITH held AS (DELETE FROM due_work WHERE id = $1 AND locked_by = $2 RETURNING id),
                     unlocked AS (DELETE FROM concurrency_locks WHERE due_id = $1 AND EXISTS (SELECT 1 FROM held)),
                     updated AS (UPDATE runs SET status = $3, finished_at = $4, error = $5, output = $6, lease_owner = NULL,
                                        lease_expires_at = NULL
                                 WHERE id = $7 AND EXISTS (SELECT 1 FROM held) RETURNING \(columns)),
                     logged AS (INSERT INTO audit_log (at, actor, action, task_id, run_id, details) SELECT $4, $8, $9, $10, $7, $11 FROM updated)
                SELECT \(columns), (SELECT string_agg(id, ',') FROM mcp_tasks WHERE root_due_id = $12) FROM updated
                """, parameters).first
        guard let row else { throw .conflict("the lease on run \(work.run.id) was lost; another worker holds it") }
        let linked = row.text(15).map { $0.split(separator: ",").map(String.init) } ?? []
        return Finished(run: Self.run(from: row), mcpTaskIDs: linked)
    }

    /// Answers the approval a run waits for. Approving queues the run to continue after the approval
    /// step; rejecting ends it as `canceled`.
    @discardableResult
    public func answerApproval(runId: String, approved: Bool, by actor: String, comment: String?) async throws(StoreError) -> RunRecord {
        let now = clock()
        let forUpdate = database.dialect.name == "postgres" ? "FOR UPDATE" : ""
        let run = try await database.transaction { connection throws(StoreError) -> RunRecord in
            guard let approval = try connection.execute(
                "SELECT step_id, answered_at FROM approvals WHERE run_id = $1 \(forUpdate)", .text(runId)).first else {
                throw .notFound("run \(runId) is not waiting for an approval")
            }
            guard approval.integer(1) == nil else { throw .conflict("the approval of run \(runId) was already answered") }
            guard let runRow = try connection.execute("SELECT \(Self.runColumns) FROM runs WHERE id = $1", .text(runId)).first else {
                throw .notFound("no run with id \(runId)")
            }
            var run = Self.run(from: runRow)
            guard run.status == .waiting else { throw .conflict("run \(runId) is \(run.status.rawValue), not waiting") }
            try connection.execute(
                "UPDATE approvals SET answered_at = $1, approved = $2, answered_by = $3, comment = $4 WHERE run_id = $5",
                .integer(now), SQLValue(approved), .text(actor), SQLValue(comment), .text(runId))
            let decision: JSONValue = [
                "step": .string(approval.text(0) ?? ""), "approved": .bool(approved), "by": .string(actor),
                "comment": comment.map(JSONValue.string) ?? .null,
            ]
            if approved {
                guard let taskRow = try connection.execute("SELECT \(Self.taskColumns) FROM tasks WHERE id = $1", .text(run.taskId)).first else {
                    throw .notFound("the task of run \(runId) is gone")
                }
                let task = Self.task(from: taskRow)
                try connection.execute(
                    """
                    INSERT INTO due_work (task_id, run_at, priority, attempt, trigger_kind, context, concurrency_key, run_id, created_at, root_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $2, $9)
                    """,
                    .text(task.id), .integer(now), SQLValue(task.priority), SQLValue(run.attempt), .text(run.trigger.rawValue),
                    SQLValue(json: ["resume": decision]), SQLValue(task.concurrencyKey), .text(runId), SQLValue(run.rootDueId))
                if let notifying = connection as? any NotifyingConnection { try notifying.notifyWork() }
            } else {
                try connection.execute(
                    "UPDATE runs SET status = 'canceled', finished_at = $1, error = $2 WHERE id = $3",
                    .integer(now), .text("the approval was rejected by \(actor)" + (comment.map { ": \($0)" } ?? "")), .text(runId))
                run.status = .canceled
            }
            try Self.audit(connection, at: now, actor: actor, action: approved ? "run.approved" : "run.rejected",
                           task: run.taskId, run: runId, details: decision)
            return run
        }
        doorbell.ring()
        return run
    }

    /// The approval a run waits for (or waited for).
    public func approval(runId: String) async throws(StoreError) -> ApprovalRecord? {
        try await database.transaction { connection throws(StoreError) in
            guard let row = try connection.execute(
                "SELECT run_id, task_id, step_id, prompt, created_at, answered_at, approved, answered_by, comment FROM approvals WHERE run_id = $1",
                .text(runId)).first else { return nil }
            return ApprovalRecord(runId: row.text(0)!, taskId: row.text(1) ?? "", stepId: row.text(2) ?? "", prompt: row.text(3) ?? "",
                                  createdAt: row.integer(4) ?? 0, answeredAt: row.integer(5), approved: row.bool(6),
                                  answeredBy: row.text(7), comment: row.text(8))
        }
    }

    /// Ends a run that waits for approval, or removes queued work of a run no worker holds.
    @discardableResult
    public func cancelRun(id: String, actor: String) async throws(StoreError) -> RunRecord {
        let now = clock()
        return try await database.transaction { connection throws(StoreError) -> RunRecord in
            guard let row = try connection.execute("SELECT \(Self.runColumns) FROM runs WHERE id = $1", .text(id)).first else {
                throw .notFound("no run with id \(id)")
            }
            var run = Self.run(from: row)
            guard !run.status.isFinal else { throw .conflict("run \(id) already ended (\(run.status.rawValue))") }
            let held = try connection.execute("SELECT 1 FROM due_work WHERE run_id = $1 AND locked_by IS NOT NULL AND locked_until >= $2",
                                              .text(id), .integer(now))
            guard held.isEmpty else { throw .conflict("run \(id) is running on a worker and cannot be stopped midway") }
            try connection.execute("DELETE FROM due_work WHERE run_id = $1", .text(id))
            try connection.execute("DELETE FROM approvals WHERE run_id = $1 AND answered_at IS NULL", .text(id))
            try connection.execute("UPDATE runs SET status = 'canceled', finished_at = $1, error = $2, lease_owner = NULL WHERE id = $3",
                                   .integer(now), .text("canceled by \(actor)"), .text(id))
            try Self.audit(connection, at: now, actor: actor, action: "run.canceled", task: run.taskId, run: id)
            run.status = .canceled
            run.finishedAt = now
            return run
        }
    }

    // MARK: Reading runs

    /// The run created for due item `dueId`, once a worker claimed it.
    public func runID(ofDue dueId: Int64) async throws(StoreError) -> String? {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("SELECT id FROM runs WHERE root_due_id = $1 ORDER BY attempt LIMIT 1", .integer(dueId)).first?.text(0)
        }
    }

    public func run(id: String) async throws(StoreError) -> RunRecord {
        try await database.transaction { connection throws(StoreError) in
            guard let row = try connection.execute("SELECT \(Self.runColumns) FROM runs WHERE id = $1", .text(id)).first else {
                throw .notFound("no run with id \(id)")
            }
            return Self.run(from: row)
        }
    }

    public struct RunFilter: Sendable {
        public var taskId: String?
        public var status: RunStatus?
        public var limit = 50
        public var offset = 0

        public init(taskId: String? = nil, status: RunStatus? = nil, limit: Int = 50, offset: Int = 0) {
            self.taskId = taskId
            self.status = status
            self.limit = limit
            self.offset = offset
        }
    }

    /// Runs, newest first.
    public func runs(_ filter: RunFilter) async throws(StoreError) -> Page<RunRecord> {
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        if let taskId = filter.taskId {
            parameters.append(.text(taskId))
            conditions.append("task_id = $\(parameters.count)")
        }
        if let status = filter.status {
            parameters.append(.text(status.rawValue))
            conditions.append("status = $\(parameters.count)")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.runColumns) FROM runs \(whereClause) ORDER BY id DESC LIMIT \(filter.limit + 1) OFFSET \(filter.offset)"
        let finalParameters = parameters
        return try await database.transaction { connection throws(StoreError) in
            let rows = try connection.execute(sql, finalParameters)
            return Page(items: rows.prefix(filter.limit).map { Self.run(from: $0) }, hasMore: rows.count > filter.limit)
        }
    }

    /// The audit log of a task (or of everything), oldest first.
    public func auditLog(taskId: String?, limit: Int = 200) async throws(StoreError) -> [AuditEntry] {
        try await database.transaction { connection throws(StoreError) in
            let columns = "SELECT id, at, actor, action, task_id, run_id, details FROM audit_log"
            let rows = if let taskId {
                try connection.execute("\(columns) WHERE task_id = $1 ORDER BY id LIMIT $2", .text(taskId), SQLValue(limit))
            } else {
                try connection.execute("\(columns) ORDER BY id DESC LIMIT $1", SQLValue(limit))
            }
            return rows.map {
                AuditEntry(id: $0.integer(0) ?? 0, at: $0.integer(1) ?? 0, actor: $0.text(2) ?? "", action: $0.text(3) ?? "",
                           taskId: $0.text(4), runId: $0.text(5), details: $0.json(6))
            }
        }
    }

    /// Counts for health and metrics.
    public struct Counts: Sendable, Equatable {
        public var due = 0
        public var scheduled = 0
        public var running = 0
        public var waiting = 0
        public var dead = 0
    }

    public func counts() async throws(StoreError) -> Counts {
        let now = clock()
        return try await database.transaction { connection throws(StoreError) in
            var counts = Counts()
            let due = try connection.execute(
                "SELECT COALESCE(SUM(CASE WHEN run_at <= $1 AND locked_by IS NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN run_at > $1 THEN 1 ELSE 0 END), 0) FROM due_work",
                .integer(now)).first
            counts.due = due?.int(0) ?? 0
            counts.scheduled = due?.int(1) ?? 0
            for row in try connection.execute("SELECT status, COUNT(*) FROM runs WHERE status IN ('running', 'waiting', 'dead') GROUP BY status") {
                switch row.text(0) {
                case "running": counts.running = row.int(1)
                case "waiting": counts.waiting = row.int(1)
                default: counts.dead = row.int(1)
                }
            }
            return counts
        }
    }

    /// Removes expired dedupe keys, event firings older than a week, and locks of work that is gone.
    public func sweep() async throws(StoreError) {
        let now = clock()
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("DELETE FROM dedupe_keys WHERE expires_at < $1", .integer(now))
            try connection.execute("DELETE FROM event_firings WHERE at < $1", .integer(now - 7 * 86_400_000))
            try connection.execute("DELETE FROM concurrency_locks WHERE expires_at < $1", .integer(now))
            try connection.execute("DELETE FROM mcp_tasks WHERE ttl_ms IS NOT NULL AND created_at + ttl_ms < $1", .integer(now))
        }
    }
}
