import OrdinautCore

/// How a task is stored: its columns, and the mapping between a row and a `TaskRecord`.
public enum TaskRows {
    public static let columns = """
        id, title, description, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority, \
        dedupe_key, dedupe_window_seconds, max_retries, backoff_strategy, concurrency_key, created_at, updated_at, \
        next_run_at, dtstart, snoozed_until, creator_scopes, trace_parent, max_consecutive_failures, consecutive_failures, \
        paused_reason, stopped_by_run
        """

    /// `columns`, each prefixed `t.`.
    static let qualifiedColumns = qualified(columns, by: "t")

    /// Writes every column of the task whose id is `$1` from the parameters of `parameters(of:)`.
    static let update = "UPDATE tasks SET " + columns.split(separator: ",").dropFirst().enumerated()
        .map { "\(String($0.element.filter { !$0.isWhitespace })) = $\($0.offset + 2)" }.joined(separator: ", ") + " WHERE id = $1"

    /// `$1, $2, …`, one placeholder per column of `columns`.
    public static let placeholders = (1...columns.split(separator: ",").count).map { "$\($0)" }.joined(separator: ", ")

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
            creatorScopes: row.text(o + 20) == nil ? nil : row.json(o + 20).arrayValue?.compactMap(\.stringValue),
            traceParent: row.text(o + 21), maxConsecutiveFailures: row.integer(o + 22).map(Int.init),
            consecutiveFailures: row.int(o + 23), pausedReason: row.text(o + 24).flatMap(PauseReason.init(rawValue:)),
            stoppedByRun: row.text(o + 25))
    }

    /// The parameters of a task row, in the order of `columns` (also for bulk loading: benchmarks, imports).
    public static func parameters(of task: TaskRecord) -> [SQLValue] {
        [
            .text(task.id), .text(task.title), SQLValue(task.description), .text(task.createdBy),
            .text(task.scheduleKind.rawValue), SQLValue(task.scheduleExpr), .text(task.timezone), SQLValue(json: task.payload),
            .text(task.status.rawValue), SQLValue(task.priority), SQLValue(task.dedupeKey), SQLValue(task.dedupeWindowSeconds),
            SQLValue(task.maxRetries), .text(task.backoffStrategy.rawValue), SQLValue(task.concurrencyKey),
            .integer(task.createdAt), .integer(task.updatedAt), SQLValue(task.nextRunAt), .integer(task.dtstart),
            SQLValue(task.snoozedUntil), task.creatorScopes.map { SQLValue(json: .array($0.map(JSONValue.string))) } ?? .null,
            SQLValue(task.traceParent), SQLValue(task.maxConsecutiveFailures.map(Int64.init)), SQLValue(task.consecutiveFailures),
            SQLValue(task.pausedReason?.rawValue), SQLValue(task.stoppedByRun),
        ]
    }
}
