import Foundation
import OrdinautCore

// Recording how runs ended: one at a time, or a batch.

extension WorkQueue {
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

    /// A recorded end: the run as stored, the MCP tasks that stand for its retry chain, and the
    /// stop of its task when this run's death paused it.
    public struct Finished: Sendable {
        public let run: RunRecord
        public let mcpTaskIDs: [String]
        public let stop: TaskStop?
    }

    /// Records how a claimed run ended, fenced by its lease: if the lease was lost the store is left
    /// untouched and `StoreError.conflict` is thrown (the new holder finishes the run). The ending
    /// also moves its task's count of dead runs in a row, and pauses the task when the count reaches
    /// its `max_consecutive_failures` (`failureLimit` for tasks that set none; 0 never stops one).
    @discardableResult
    public func finish(_ work: ClaimedWork, outcome: Outcome, output: JSONValue,
                       failureLimit: Int = 0) async throws(StoreError) -> Finished {
        let now = clock()
        let writingCTEs = database.dialect.writingCTEs
        let ending: (Finished, Bool)
        if writingCTEs, Self.finalStatus(outcome) != nil {
            // PostgreSQL: one autocommitted statement.
            let only = Ending(work: work, outcome: outcome, output: output)
            ending = try await database.autocommit { connection throws(StoreError) in
                (try Self.finishFinal(connection, [only], failureLimit: failureLimit, now: now)[work.run.id]!.get(), false)
            }
        } else {
            ending = try await database.transaction { connection throws(StoreError) in
                try Self.finish(connection, work, outcome: outcome, output: output, failureLimit: failureLimit, now: now)
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
    /// Task failure counts move as `finish` moves them, in the order of `endings`.
    public func finishAll(_ endings: [Ending], failureLimit: Int = 0) async throws(StoreError) -> [Result<Finished, StoreError>] {
        let now = clock()
        let writingCTEs = database.dialect.writingCTEs
        if writingCTEs && endings.allSatisfy({ Self.finalStatus($0.outcome) != nil }) {
            // PostgreSQL, nothing scheduled further: one autocommitted statement for the whole batch.
            let recorded = try await database.autocommit { connection throws(StoreError) in
                try Self.finishFinal(connection, endings, failureLimit: failureLimit, now: now)
            }
            return endings.map { recorded[$0.work.run.id]! }
        }
        let results = try await database.transaction { connection throws(StoreError) -> [(Result<Finished, StoreError>, Bool)] in
            var results: [(Result<Finished, StoreError>, Bool)] = []
            // PostgreSQL: every ending that schedules nothing more, in one statement.
            var recorded: [String: Result<Finished, StoreError>] = [:]
            let final = endings.filter { Self.finalStatus($0.outcome) != nil }
            if writingCTEs && !final.isEmpty {
                recorded = try Self.finishFinal(connection, final, failureLimit: failureLimit, now: now)
            }
            for ending in endings {
                if let done = recorded[ending.work.run.id] {
                    results.append((done, false))
                    continue
                }
                do throws(StoreError) {
                    let (finished, retried) = try Self.finish(connection, ending.work, outcome: ending.outcome, output: ending.output,
                                                              failureLimit: failureLimit, now: now)
                    results.append((.success(finished), retried))
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
    private static func finishFinal(_ connection: any SQLConnection, _ endings: [Ending], failureLimit: Int,
                                    now: Int64) throws(StoreError) -> [String: Result<Finished, StoreError>] {
        let inputs: [JSONValue] = endings.enumerated().map { ord, ending in
            let status = finalStatus(ending.outcome)!
            let error = message(of: ending.outcome)
            var details: JSONObject = ["attempt": .integer(Int64(ending.work.run.attempt))]
            if let error { details["error"] = .string(String(error.prefix(500))) }
            return [
                "due_id": .integer(ending.work.dueId), "lease": .string(ending.work.lease), "status": .string(status.rawValue),
                "error": error.map(JSONValue.string) ?? .null, "output": .string(ending.output.encodedString()),
                "run_id": .string(ending.work.run.id), "actor": .string(ending.work.lease.split(separator: "/").first.map(String.init) ?? "worker"),
                "action": .string("run.\(status.rawValue)"), "task_id": .string(ending.work.task.id),
                "details": .string(JSONValue.object(details).encodedString()), "ord": .integer(Int64(ord)),
            ]
        }
        let rows = try connection.execute(
            finishFinalStatement, .text(JSONValue.array(inputs).encodedString()), .integer(now), SQLValue(failureLimit),
            SQLValue(postgresArray: endings.map(\.work.dueId)), SQLValue(postgresArray: endings.map(\.work.run.id)))
        var results: [String: Result<Finished, StoreError>] = [:]
        for row in rows {
            let run = RunRows.run(from: row)
            let stop = row.integer(16).map { TaskStop(taskId: run.taskId, consecutiveFailures: Int($0), limit: row.int(17)) }
            results[run.id] = .success(Finished(run: run, mcpTaskIDs: row.text(15).map { $0.split(separator: ",").map(String.init) } ?? [],
                                                stop: stop))
        }
        for ending in endings where results[ending.work.run.id] == nil {
            results[ending.work.run.id] = .failure(.conflict("the lease on run \(ending.work.run.id) was lost; another worker holds it"))
        }
        return results
    }

    /// `finishFinal`'s statement: `$1` the endings as JSON, `$2` now, `$3` the default failure limit,
    /// `$4` and `$5` their due ids and run ids as arrays. The arrays name the rows to the planner: it
    /// cannot see into `$1` (it guesses 100 rows) and, for a batch that small beside a large queue,
    /// otherwise read all of `due_work` per ending.
    static let finishFinalStatement = """
        WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(due_id bigint, lease text, status text, error text, output text,
                       run_id text, actor text, action text, task_id text, details text, ord bigint)),
             held AS (DELETE FROM due_work d USING input i WHERE d.id = ANY ($4::bigint[]) AND d.id = i.due_id AND d.locked_by = i.lease
                      RETURNING d.id),
             unlocked AS (DELETE FROM concurrency_locks c USING held h WHERE c.due_id = h.id),
             updated AS (UPDATE runs r SET status = i.status, finished_at = $2, error = i.error, output = i.output, lease_owner = NULL,
                                lease_expires_at = NULL
                         FROM input i JOIN held h ON h.id = i.due_id WHERE r.id = ANY ($5::text[]) AND r.id = i.run_id
                         RETURNING \(RunRows.qualifiedColumns)),
             logged AS (INSERT INTO audit_log (at, actor, action, task_id, run_id, details)
                        SELECT $2, i.actor, i.action, i.task_id, i.run_id, i.details FROM input i JOIN updated u ON u.id = i.run_id),
             \(countEndingsCTEs)
        SELECT u.*, (SELECT string_agg(m.id, ',') FROM mcp_tasks m WHERE m.root_due_id = u.root_due_id),
               s.stop_count, s.limit_reached
        FROM updated u LEFT JOIN stopped s ON s.stop_run = u.id
        """

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
                               failureLimit: Int, now: Int64) throws(StoreError) -> (Finished, Bool) {
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
            WHERE id = $5 RETURNING \(RunRows.columns)
            """,
            .text(status.rawValue), status == .waiting ? .null : .integer(now), SQLValue(error), SQLValue(json: output),
            .text(work.run.id)).first
        guard let row else { throw .unavailable("run \(work.run.id) is missing") }
        var details: JSONObject = ["attempt": .integer(Int64(work.run.attempt))]
        if let error { details["error"] = .string(String(error.prefix(500))) }
        let actor = work.lease.split(separator: "/").first.map(String.init) ?? "worker"
        try AuditLog.write(connection, at: now, actor: actor, action: "run.\(status.rawValue)", task: work.task.id, run: work.run.id,
                           details: .object(details))
        let stop = try countEnding(connection, work, status: status, error: error, failureLimit: failureLimit, actor: actor, now: now)
        let linked = try work.run.rootDueId.map { root throws(StoreError) in
            try connection.execute("SELECT id FROM mcp_tasks WHERE root_due_id = $1", .integer(root)).compactMap { $0.text(0) }
        } ?? []
        return (Finished(run: RunRows.run(from: row), mcpTaskIDs: linked, stop: stop), retry)
    }
}
