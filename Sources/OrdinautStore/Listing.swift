import Foundation
import OrdinautCore

/// The task and run listings: filters, and keyset pagination — a page starts after the sort key of
/// the previous page's last row, so a page costs the same however deep it is and rows added
/// meanwhile neither repeat nor vanish. `offset` is kept for clients written before cursors.
/// Each filter has an index that also gives the order (migration 4); `ListingPlans` prints the plans.
extension TaskRepository {
    public struct Filter: Sendable {
        public var status: TaskStatus?
        public var createdBy: String?
        public var scheduleKind: ScheduleKind?
        /// Searched case-insensitively in the title and the description.
        public var text: String?
        public var after: ListCursor?
        public var limit = 50
        public var offset = 0

        public init(status: TaskStatus? = nil, createdBy: String? = nil, scheduleKind: ScheduleKind? = nil, text: String? = nil,
                    after: ListCursor? = nil, limit: Int = 50, offset: Int = 0) {
            self.status = status
            self.createdBy = createdBy
            self.scheduleKind = scheduleKind
            self.text = text
            self.after = after
            self.limit = limit
            self.offset = offset
        }
    }

    /// Tasks, oldest first.
    public func list(_ filter: Filter) async throws(StoreError) -> Page<TaskRecord> {
        let sql = Self.listing(filter, dialect: database.dialect)
        return try await database.transaction { connection throws(StoreError) in
            let rows = try connection.execute(sql.text, sql.parameters)
            let items = rows.prefix(filter.limit).map { TaskRows.task(from: $0) }
            let more = rows.count > filter.limit
            return Page(items: items, hasMore: more,
                        nextCursor: more ? items.last.map { ListCursor.task(createdAt: $0.createdAt, id: $0.id) } : nil)
        }
    }

    static func listing(_ filter: Filter, dialect: SQLDialect) -> (text: String, parameters: [SQLValue]) {
        var conditions = SQLConditions()
        if let status = filter.status { conditions.add("status = ?", .text(status.rawValue)) }
        if let createdBy = filter.createdBy { conditions.add("created_by = ?", .text(createdBy)) }
        if let kind = filter.scheduleKind { conditions.add("schedule_kind = ?", .text(kind.rawValue)) }
        if let text = filter.text {
            // SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE ignores case. `\` escapes the wildcards.
            let like = dialect.name == "postgres" ? "ILIKE" : "LIKE"
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.add("(title \(like) ? ESCAPE '\\' OR COALESCE(description, '') \(like) ? ESCAPE '\\')", .text(pattern), .text(pattern))
        }
        if case .task(let createdAt, let id)? = filter.after {
            conditions.add("(created_at, id) > (?, ?)", .integer(createdAt), .text(id))
        }
        return ("SELECT \(TaskRows.columns) FROM tasks\(conditions.sql) ORDER BY created_at, id LIMIT \(filter.limit + 1) OFFSET \(filter.offset)",
                conditions.parameters)
    }
}

extension WorkQueue {
    public struct RunFilter: Sendable {
        public var taskId: String?
        public var status: RunStatus?
        /// Runs created at or after, and before, these times (milliseconds since 1970).
        public var createdSince: Int64?
        public var createdBefore: Int64?
        public var after: ListCursor?
        public var limit = 50
        public var offset = 0

        public init(taskId: String? = nil, status: RunStatus? = nil, createdSince: Int64? = nil, createdBefore: Int64? = nil,
                    after: ListCursor? = nil, limit: Int = 50, offset: Int = 0) {
            self.taskId = taskId
            self.status = status
            self.createdSince = createdSince
            self.createdBefore = createdBefore
            self.after = after
            self.limit = limit
            self.offset = offset
        }
    }

    /// Runs, newest first (run ids are UUIDv7: their order is creation order).
    public func runs(_ filter: RunFilter) async throws(StoreError) -> Page<RunRecord> {
        let sql = Self.listing(filter)
        return try await database.transaction { connection throws(StoreError) in
            let rows = try connection.execute(sql.text, sql.parameters)
            let items = rows.prefix(filter.limit).map { RunRows.run(from: $0) }
            let more = rows.count > filter.limit
            return Page(items: items, hasMore: more, nextCursor: more ? items.last.map { ListCursor.run(id: $0.id) } : nil)
        }
    }

    static func listing(_ filter: RunFilter) -> (text: String, parameters: [SQLValue]) {
        var conditions = SQLConditions()
        if let taskId = filter.taskId { conditions.add("task_id = ?", .text(taskId)) }
        if let status = filter.status {
            conditions.add("status = ?", .text(status.rawValue))
            // Succeeded runs, the common case, are read newest first from the primary key.
            if status != .succeeded { conditions.add(RunRows.statusIndexed) }
        }
        if let since = filter.createdSince { conditions.add("created_at >= ?", .integer(since)) }
        if let before = filter.createdBefore { conditions.add("created_at < ?", .integer(before)) }
        if case .run(let id)? = filter.after { conditions.add("id < ?", .text(id)) }
        return ("SELECT \(RunRows.columns) FROM runs\(conditions.sql) ORDER BY id DESC LIMIT \(filter.limit + 1) OFFSET \(filter.offset)",
                conditions.parameters)
    }
}
