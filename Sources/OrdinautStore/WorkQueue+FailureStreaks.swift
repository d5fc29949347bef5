import OrdinautCore

// Stopping a task whose runs keep failing. Every run that ends dead adds one to its task's count of
// dead runs in a row and every run that succeeds sets it back to 0, in the transaction (SQLite) or
// the statement (PostgreSQL) that records the ending, so two workers ending runs of one task never
// lose a count. The ending that brings the count to the task's limit pauses the task, once.

extension WorkQueue {
    /// A task an ending paused because its runs ended dead `consecutiveFailures` times in a row.
    public struct TaskStop: Sendable, Equatable {
        /// The task that was paused.
        public let taskId: String
        /// Its dead runs in a row when this ending stopped it.
        public let consecutiveFailures: Int
        /// The task's limit that was reached (its own, or the server's default).
        public let limit: Int
    }

    /// SQL that is true when the task row (columns prefixed by `table`) reaches its limit with a count
    /// of `count` while active. `defaultLimit` is the parameter holding the limit of tasks that set
    /// none; a limit of 0 never stops a task.
    static func reachesLimit(_ table: String, count: String, defaultLimit: String) -> String {
        let limit = "COALESCE(\(table)max_consecutive_failures, \(defaultLimit))"
        return "\(table)status = 'active' AND \(limit) > 0 AND \(count) >= \(limit)"
    }

    /// Counts a run's final ending on its task inside the ending's transaction (the per-connection
    /// path); returns the stop when this ending paused the task.
    static func countEnding(_ connection: any SQLConnection, _ work: ClaimedWork, status: RunStatus, error: String?,
                            failureLimit: Int, actor: String, now: Int64) throws(StoreError) -> TaskStop? {
        switch status {
        case .succeeded:
            try connection.execute("UPDATE tasks SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0",
                                   .text(work.task.id))
            return nil
        case .dead:
            break
        default:
            return nil
        }
        let stop = reachesLimit("", count: "consecutive_failures + 1", defaultLimit: "$2")
        let row = try connection.execute(
            """
            UPDATE tasks SET consecutive_failures = consecutive_failures + 1,
                   paused_reason = CASE WHEN \(stop) THEN 'failures' ELSE paused_reason END,
                   stopped_by_run = CASE WHEN \(stop) THEN $3 ELSE stopped_by_run END,
                   updated_at = CASE WHEN \(stop) THEN $4 ELSE updated_at END,
                   status = CASE WHEN \(stop) THEN 'paused' ELSE status END
            WHERE id = $1
            RETURNING consecutive_failures, paused_reason, stopped_by_run, COALESCE(max_consecutive_failures, $2)
            """,
            .text(work.task.id), SQLValue(failureLimit), .text(work.run.id), .integer(now)).first
        guard let row, row.text(1) == PauseReason.failures.rawValue, row.text(2) == work.run.id else { return nil }
        let taskStop = TaskStop(taskId: work.task.id, consecutiveFailures: row.int(0), limit: row.int(3))
        try connection.execute("DELETE FROM due_work WHERE task_id = $1 AND locked_by IS NULL", .text(work.task.id))
        try AuditLog.write(connection, at: now, actor: actor, action: "task.stopped", task: work.task.id, run: work.run.id,
                           details: taskStop.details(error: error))
        return taskStop
    }

    /// The statements that count a batch of final endings on their tasks (PostgreSQL), as common table
    /// expressions over `input` (with `ord`, the ending's place in the batch) and `updated` (the runs
    /// whose lease held). Within a batch a task's count starts again after its last success, and the
    /// dead run that brings the count to the limit is the one that stops the task, as if the endings
    /// had been recorded one by one. They leave `stopped (id, stop_run, stop_count, limit_reached)`:
    /// the tasks this batch paused. `$3` is the limit of tasks that set none.
    static let countEndingsCTEs = """
        ended AS (SELECT i.task_id, i.status, i.ord, i.run_id,
                         MAX(i.ord) FILTER (WHERE i.status = 'succeeded') OVER (PARTITION BY i.task_id) AS last_ok
                  FROM input i JOIN updated u ON u.id = i.run_id WHERE i.status IN ('succeeded', 'dead')),
        streaks AS (SELECT task_id, bool_or(status = 'succeeded') AS reset,
                           COUNT(*) FILTER (WHERE status = 'dead' AND ord > COALESCE(last_ok, -1)) AS dead,
                           array_agg(run_id ORDER BY ord) FILTER (WHERE status = 'dead' AND ord > COALESCE(last_ok, -1)) AS dead_runs
                    FROM ended GROUP BY task_id),
        counted AS (UPDATE tasks t SET consecutive_failures = \(base) + s.dead,
                           paused_reason = CASE WHEN \(batchStop) THEN 'failures' ELSE t.paused_reason END,
                           stopped_by_run = CASE WHEN \(batchStop) THEN s.dead_runs[GREATEST(1, \(limit) - \(base))] ELSE t.stopped_by_run END,
                           updated_at = CASE WHEN \(batchStop) THEN $2 ELSE t.updated_at END,
                           status = CASE WHEN \(batchStop) THEN 'paused' ELSE t.status END
                    FROM streaks s WHERE t.id = s.task_id AND (s.dead > 0 OR t.consecutive_failures <> 0)
                    RETURNING t.id, t.consecutive_failures - s.dead AS base, t.paused_reason, t.stopped_by_run, s.dead_runs,
                              \(limit) AS limit_reached),
        stopped AS (SELECT c.id, c.stopped_by_run AS stop_run, GREATEST(c.base + 1, c.limit_reached) AS stop_count, c.limit_reached
                    FROM counted c WHERE c.paused_reason = 'failures' AND c.stopped_by_run = ANY (c.dead_runs)),
        cleared AS (DELETE FROM due_work d USING stopped s WHERE d.task_id = s.id AND d.locked_by IS NULL),
        stop_logged AS (INSERT INTO audit_log (at, actor, action, task_id, run_id, details)
                        SELECT $2, i.actor, 'task.stopped', s.id, s.stop_run,
                               json_build_object('consecutive_failures', s.stop_count, 'limit', s.limit_reached,
                                                 'error', left(i.error, 500))::text
                        FROM stopped s JOIN input i ON i.run_id = s.stop_run)
        """

    /// The count a task of the batch starts from: 0 after a success in the batch.
    private static let base = "CASE WHEN s.reset THEN 0 ELSE t.consecutive_failures END"
    private static let limit = "COALESCE(t.max_consecutive_failures, $3::integer)"
    private static let batchStop = "s.dead > 0 AND " + reachesLimit("t.", count: "\(base) + s.dead", defaultLimit: "$3::integer")
}

extension WorkQueue.TaskStop {
    /// The audit details of the stop.
    func details(error: String?) -> JSONValue {
        var details: JSONObject = ["consecutive_failures": .integer(Int64(consecutiveFailures)), "limit": .integer(Int64(limit))]
        if let error { details["error"] = .string(String(error.prefix(500))) }
        return .object(details)
    }
}
