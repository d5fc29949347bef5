import Foundation
import OrdinautCore

/// Tasks: creating, reading, listing and changing them, each change with its audit line in the same
/// transaction, and the triggered tasks the event router watches.
public struct TaskRepository: StoreRole {
    let core: StoreCore

    public init(core: StoreCore) {
        self.core = core
    }

    /// Stores a new task (validated by the caller).
    public func create(_ task: TaskRecord, actor: String) async throws(StoreError) {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("INSERT INTO tasks (\(TaskRows.columns)) VALUES (\(TaskRows.placeholders))", TaskRows.parameters(of: task))
            try AuditLog.write(connection, at: task.createdAt, actor: actor, action: "task.create", task: task.id,
                               details: ["title": .string(task.title), "schedule_kind": .string(task.scheduleKind.rawValue)])
        }
    }

    public func task(id: String) async throws(StoreError) -> TaskRecord {
        try await database.transaction { connection throws(StoreError) in
            guard let row = try connection.execute("SELECT \(TaskRows.columns) FROM tasks WHERE id = $1", .text(id)).first else {
                throw .notFound("no task with id \(id)")
            }
            return TaskRows.task(from: row)
        }
    }

    /// Changes a task under its row lock: `change` sees the current record and edits it, or refuses
    /// by throwing — a conflicting state, invalid input, whatever the caller's checks say; the new
    /// record is written with `action` in the audit log. A refusal writes nothing and comes back as
    /// the result's failure, kept apart from the database's own failures, which are thrown. Work of
    /// a task that stops being active is removed unless a worker holds it.
    @discardableResult
    public func update<Refusal: Error>(id: String, actor: String, action: String, details: JSONValue = [:],
                                       _ change: @escaping @Sendable (inout TaskRecord, Int64) throws(Refusal) -> Void)
        async throws(StoreError) -> Result<TaskRecord, Refusal> {
        let now = clock()
        let forUpdate = database.dialect.name == "postgres" ? "FOR UPDATE" : ""
        let updated = try await database.transaction { connection throws(StoreError) -> Result<TaskRecord, Refusal> in
            guard let row = try connection.execute("SELECT \(TaskRows.columns) FROM tasks WHERE id = $1 \(forUpdate)", .text(id)).first else {
                throw .notFound("no task with id \(id)")
            }
            var task = TaskRows.task(from: row)
            do throws(Refusal) {
                try change(&task, now)
            } catch {
                return .failure(error)  // nothing was written: the transaction ends as it began
            }
            task.updatedAt = now
            try connection.execute(TaskRows.update, TaskRows.parameters(of: task))
            if task.status != .active {
                try connection.execute("DELETE FROM due_work WHERE task_id = $1 AND locked_by IS NULL", .text(id))
            }
            try AuditLog.write(connection, at: now, actor: actor, action: action, task: id, details: details)
            return .success(task)
        }
        if case .success(let task) = updated, task.status == .active { doorbell.ring() }
        return updated
    }

    /// The tasks event `eventId` started (by whichever process handled it first).
    public func tasksFired(byEvent eventId: String) async throws(StoreError) -> [String] {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("SELECT task_id FROM event_firings WHERE event_id = $1 ORDER BY task_id", .text(eventId)).compactMap { $0.text(0) }
        }
    }

    /// Active `event` and `condition` tasks.
    public func triggeredTasks() async throws(StoreError) -> [TaskRecord] {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute(
                "SELECT \(TaskRows.columns) FROM tasks WHERE status = 'active' AND schedule_kind IN ('event', 'condition')"
            ).map { TaskRows.task(from: $0) }
        }
    }
}
