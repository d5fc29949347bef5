import OrdinautCore

/// How a run is stored: its columns, and the mapping from a row to a `RunRecord`.
enum RunRows {
    static let columns = """
        id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at, started_at, finished_at, \
        error, output, context, takeovers, root_due_id
        """

    /// The condition of `runs_by_status` (migration 7), which leaves succeeded runs out so that a
    /// run that succeeds writes its page once, not twice. A query on that index repeats it word for
    /// word: SQLite reads a partial index only for a query whose WHERE holds the index's own terms.
    static let statusIndexed = "status <> 'succeeded'"

    /// `columns`, each prefixed `r.`.
    static let qualifiedColumns = qualified(columns, by: "r")

    static func run(from row: SQLRow, at o: Int = 0) -> RunRecord {
        RunRecord(
            id: row.text(o)!, taskId: row.text(o + 1) ?? "", attempt: row.int(o + 2),
            trigger: RunTrigger(rawValue: row.text(o + 3) ?? "") ?? .schedule,
            status: RunStatus(rawValue: row.text(o + 4) ?? "") ?? .failed, leaseOwner: row.text(o + 5),
            leaseExpiresAt: row.integer(o + 6), createdAt: row.integer(o + 7) ?? 0, startedAt: row.integer(o + 8),
            finishedAt: row.integer(o + 9), error: row.text(o + 10), output: row.json(o + 11), context: row.json(o + 12),
            takeovers: row.int(o + 13), rootDueId: row.integer(o + 14))
    }
}
