import Foundation
import OrdinautCore

// Approvals, cancellation, and reading runs and the audit log.

extension TaskStore {
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
            for row in try connection.execute(Self.overviewQueries.statuses) {
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
