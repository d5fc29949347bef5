import Foundation
import OrdinautCore

// Runs: cancelling one, reading them, counting the queue, and sweeping what expired.

extension WorkQueue {
    /// Ends a run that waits for approval, or removes queued work of a run no worker holds.
    @discardableResult
    public func cancelRun(id: String, actor: String) async throws(StoreError) -> RunRecord {
        let now = clock()
        return try await database.transaction { connection throws(StoreError) -> RunRecord in
            guard let row = try connection.execute("SELECT \(RunRows.columns) FROM runs WHERE id = $1", .text(id)).first else {
                throw .notFound("no run with id \(id)")
            }
            var run = RunRows.run(from: row)
            guard !run.status.isFinal else { throw .conflict("run \(id) already ended (\(run.status.rawValue))") }
            let held = try connection.execute("SELECT 1 FROM due_work WHERE run_id = $1 AND locked_by IS NOT NULL AND locked_until >= $2",
                                              .text(id), .integer(now))
            guard held.isEmpty else { throw .conflict("run \(id) is running on a worker and cannot be stopped midway") }
            try connection.execute("DELETE FROM due_work WHERE run_id = $1", .text(id))
            try connection.execute("DELETE FROM approvals WHERE run_id = $1 AND answered_at IS NULL", .text(id))
            try connection.execute("UPDATE runs SET status = 'canceled', finished_at = $1, error = $2, lease_owner = NULL WHERE id = $3",
                                   .integer(now), .text("canceled by \(actor)"), .text(id))
            try AuditLog.write(connection, at: now, actor: actor, action: "run.canceled", task: run.taskId, run: id)
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
            guard let row = try connection.execute("SELECT \(RunRows.columns) FROM runs WHERE id = $1", .text(id)).first else {
                throw .notFound("no run with id \(id)")
            }
            return RunRows.run(from: row)
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
            for row in try connection.execute(TaskStore.overviewQueries.statuses) {
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
