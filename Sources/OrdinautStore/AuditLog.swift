import Foundation
import OrdinautCore

/// The audit log: one line per state change, written by every role in the same transaction as the
/// change (`write`), read back per task or by filter, and lines for things outside a task's own changes.
public struct AuditLog: StoreRole {
    let core: StoreCore

    public init(core: StoreCore) {
        self.core = core
    }

    /// Writes one audit line on `connection`, inside the transaction of the change it records.
    static func write(_ connection: any SQLConnection, at: Int64, actor: String, action: String, task: String?,
                      run: String? = nil, details: JSONValue = [:]) throws(StoreError) {
        try connection.execute(
            "INSERT INTO audit_log (at, actor, action, task_id, run_id, details) VALUES ($1, $2, $3, $4, $5, $6)",
            .integer(at), .text(actor), .text(action), SQLValue(task), SQLValue(run), SQLValue(json: details))
    }

    /// The audit log of a task (or of everything), oldest first.
    public func entries(taskId: String?, limit: Int = 200) async throws(StoreError) -> [AuditEntry] {
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

    /// What `GET /audit` may ask for: entries newest first, narrowed by actor, action (exact, or a
    /// prefix ending in `.`), task, and time.
    public struct Filter: Sendable {
        public var actor: String?
        public var action: String?
        public var taskId: String?
        /// Entries at or after this time (milliseconds since the epoch).
        public var since: Int64?
        /// Entries before this id, for paging backwards.
        public var before: Int64?
        public var limit = 100

        public init(actor: String? = nil, action: String? = nil, taskId: String? = nil, since: Int64? = nil, before: Int64? = nil,
                    limit: Int = 100) {
            self.actor = actor
            self.action = action
            self.taskId = taskId
            self.since = since
            self.before = before
            self.limit = limit
        }
    }

    /// Audit entries matching `filter`, newest first.
    public func search(_ filter: Filter) async throws(StoreError) -> Page<AuditEntry> {
        try await database.transaction { connection throws(StoreError) in
            var conditions = SQLConditions()
            if let actor = filter.actor { conditions.add("actor = ?", .text(actor)) }
            if let action = filter.action {
                if action.hasSuffix(".") {
                    conditions.add("substr(action, 1, \(action.utf8.count)) = ?", .text(action))
                } else {
                    conditions.add("action = ?", .text(action))
                }
            }
            if let taskId = filter.taskId { conditions.add("task_id = ?", .text(taskId)) }
            if let since = filter.since { conditions.add("at >= ?", .integer(since)) }
            if let before = filter.before { conditions.add("id < ?", .integer(before)) }
            let values = conditions.parameters + [SQLValue(filter.limit + 1)]
            let rows = try connection.execute(
                "SELECT id, at, actor, action, task_id, run_id, details FROM audit_log\(conditions.sql) ORDER BY id DESC LIMIT $\(values.count)", values)
            let entries = rows.prefix(filter.limit).map {
                AuditEntry(id: $0.integer(0) ?? 0, at: $0.integer(1) ?? 0, actor: $0.text(2) ?? "", action: $0.text(3) ?? "",
                           taskId: $0.text(4), runId: $0.text(5), details: $0.json(6))
            }
            return Page(items: Array(entries), hasMore: rows.count > filter.limit)
        }
    }

    /// Records something outside a task's own changes: a refused credential, an agent or token
    /// change, an event a task was not allowed to fire on (`taskId` then names the task).
    public func record(actor: String, action: String, taskId: String? = nil, details: JSONValue = [:]) async throws(StoreError) {
        let now = clock()
        try await database.transaction { connection throws(StoreError) in
            try AuditLog.write(connection, at: now, actor: actor, action: action, task: taskId, details: details)
        }
    }
}
