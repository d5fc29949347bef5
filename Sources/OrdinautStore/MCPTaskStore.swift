import OrdinautCore

/// MCP tasks (`tasks/*`): rows that stand for a run chain or for a tool run in process.
public struct MCPTaskStore: StoreRole {
    let core: StoreCore

    public init(core: StoreCore) {
        self.core = core
    }

    static let mcpTaskColumns = "id, owner, tool, root_due_id, status, status_message, result, error, created_at, updated_at, ttl_ms, cancelled_at"

    static func mcpTask(from row: SQLRow) -> MCPTaskRow {
        MCPTaskRow(id: row.text(0)!, owner: row.text(1), tool: row.text(2) ?? "", rootDueId: row.integer(3), status: row.text(4) ?? "working",
                   statusMessage: row.text(5), result: row.text(6) == nil ? nil : row.json(6), error: row.text(7) == nil ? nil : row.json(7),
                   createdAt: row.integer(8) ?? 0, updatedAt: row.integer(9) ?? 0, ttlMs: row.integer(10), cancelledAt: row.integer(11))
    }

    /// Stores a new MCP task, durably, before the request that created it is answered.
    public func create(owner: String?, tool: String, rootDueId: Int64?, ttlMs: Int64?) async throws(StoreError) -> MCPTaskRow {
        let now = clock()
        let row = MCPTaskRow(id: UUIDv7.make(), owner: owner, tool: tool, rootDueId: rootDueId, status: "working", createdAt: now,
                             updatedAt: now, ttlMs: ttlMs)
        try await database.transaction { connection throws(StoreError) in
            try connection.execute(
                "INSERT INTO mcp_tasks (id, owner, tool, root_due_id, status, created_at, updated_at, ttl_ms) VALUES ($1, $2, $3, $4, 'working', $5, $5, $6)",
                .text(row.id), SQLValue(owner), .text(tool), SQLValue(rootDueId), .integer(now), SQLValue(ttlMs))
        }
        return row
    }

    /// The task and, for a run-backed one, the latest run of its chain.
    public func task(id: String) async throws(StoreError) -> (MCPTaskRow, RunRecord?)? {
        try await database.transaction { connection throws(StoreError) -> (MCPTaskRow, RunRecord?)? in
            guard let row = try connection.execute("SELECT \(Self.mcpTaskColumns) FROM mcp_tasks WHERE id = $1", .text(id)).first else { return nil }
            let task = Self.mcpTask(from: row)
            guard let root = task.rootDueId else { return (task, nil) }
            let run = try connection.execute(
                "SELECT \(RunRows.columns) FROM runs WHERE root_due_id = $1 ORDER BY attempt DESC, created_at DESC LIMIT 1", .integer(root)
            ).first.map { RunRows.run(from: $0) }
            return (task, run)
        }
    }

    /// The tasks `owner` created, newest first (at most 500).
    public func ids(owner: String?) async throws(StoreError) -> [String] {
        try await database.transaction { connection throws(StoreError) in
            let rows = if let owner {
                try connection.execute("SELECT id FROM mcp_tasks WHERE owner = $1 ORDER BY created_at DESC LIMIT 500", .text(owner))
            } else {
                try connection.execute("SELECT id FROM mcp_tasks WHERE owner IS NULL ORDER BY created_at DESC LIMIT 500")
            }
            return rows.compactMap { $0.text(0) }
        }
    }

    /// Records how an in-process task ended (`completed` with a result, `failed` with an error).
    public func finish(id: String, status: String, message: String?, result: JSONValue?, error: JSONValue?) async throws(StoreError) {
        let now = clock()
        try await database.transaction { connection throws(StoreError) in
            try connection.execute(
                "UPDATE mcp_tasks SET status = $1, status_message = $2, result = $3, error = $4, updated_at = $5 WHERE id = $6 AND cancelled_at IS NULL",
                .text(status), SQLValue(message), result.map { SQLValue(json: $0) } ?? .null, error.map { SQLValue(json: $0) } ?? .null,
                .integer(now), .text(id))
        }
    }

    /// Marks the task cancelled. For a run-backed task, queued work of its chain that no worker holds
    /// is removed and a run waiting for approval is ended; a running run finishes on its own.
    public func cancel(id: String, actor: String) async throws(StoreError) {
        let now = clock()
        try await database.transaction { connection throws(StoreError) in
            guard let row = try connection.execute("SELECT \(Self.mcpTaskColumns) FROM mcp_tasks WHERE id = $1", .text(id)).first else {
                throw .notFound("no task \(id)")
            }
            let task = Self.mcpTask(from: row)
            guard task.cancelledAt == nil else { return }
            try connection.execute("UPDATE mcp_tasks SET cancelled_at = $1, updated_at = $1 WHERE id = $2", .integer(now), .text(id))
            guard let root = task.rootDueId else { return }
            try connection.execute("DELETE FROM due_work WHERE (id = $1 OR root_id = $1) AND locked_by IS NULL", .integer(root))
            for run in try connection.execute("SELECT id, task_id FROM runs WHERE root_due_id = $1 AND status = 'waiting'", .integer(root)) {
                try connection.execute("DELETE FROM approvals WHERE run_id = $1 AND answered_at IS NULL", .text(run.text(0)!))
                try connection.execute("UPDATE runs SET status = 'canceled', finished_at = $1, error = $2 WHERE id = $3",
                                       .integer(now), .text("canceled by \(actor) (tasks/cancel)"), .text(run.text(0)!))
                try AuditLog.write(connection, at: now, actor: actor, action: "run.canceled", task: run.text(1), run: run.text(0))
            }
        }
    }
}
