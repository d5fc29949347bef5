import Foundation
import OrdinautCore

/// Approvals of runs parked at an approval step: reading one, answering it (approving queues the run
/// to continue, rejecting ends it).
public struct Approvals: StoreRole {
    let core: StoreCore

    public init(core: StoreCore) {
        self.core = core
    }

    /// Answers the approval a run waits for. Approving queues the run to continue after the approval
    /// step; rejecting ends it as `canceled`.
    @discardableResult
    public func answer(runId: String, approved: Bool, by actor: String, comment: String?) async throws(StoreError) -> RunRecord {
        let now = clock()
        let forUpdate = database.dialect.name == "postgres" ? "FOR UPDATE" : ""
        let run = try await database.transaction { connection throws(StoreError) -> RunRecord in
            guard let approval = try connection.execute(
                "SELECT step_id, answered_at FROM approvals WHERE run_id = $1 \(forUpdate)", .text(runId)).first else {
                throw .notFound("run \(runId) is not waiting for an approval")
            }
            guard approval.integer(1) == nil else { throw .conflict("the approval of run \(runId) was already answered") }
            guard let runRow = try connection.execute("SELECT \(RunRows.columns) FROM runs WHERE id = $1", .text(runId)).first else {
                throw .notFound("no run with id \(runId)")
            }
            var run = RunRows.run(from: runRow)
            guard run.status == .waiting else { throw .conflict("run \(runId) is \(run.status.rawValue), not waiting") }
            try connection.execute(
                "UPDATE approvals SET answered_at = $1, approved = $2, answered_by = $3, comment = $4 WHERE run_id = $5",
                .integer(now), SQLValue(approved), .text(actor), SQLValue(comment), .text(runId))
            let decision: JSONValue = [
                "step": .string(approval.text(0) ?? ""), "approved": .bool(approved), "by": .string(actor),
                "comment": comment.map(JSONValue.string) ?? .null,
            ]
            if approved {
                guard let taskRow = try connection.execute("SELECT \(TaskRows.columns) FROM tasks WHERE id = $1", .text(run.taskId)).first else {
                    throw .notFound("the task of run \(runId) is gone")
                }
                let task = TaskRows.task(from: taskRow)
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
            try AuditLog.write(connection, at: now, actor: actor, action: approved ? "run.approved" : "run.rejected",
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
}
