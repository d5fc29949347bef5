import OrdinautCore
import OrdinautMCP
import OrdinautStore
import Synchronization

/// MCP tasks over the store, so that any node answers `tasks/get` for any task.
///
/// A run-backed task (a `task_run_now` answered with a task) takes its status from the latest run of
/// its retry chain: queued or running → `working`; a failed attempt with a retry ahead → `working`;
/// waiting at an approval step → `input_required` with an elicitation asking for the decision,
/// answered by `tasks/update`; succeeded or dead → `completed` with the `task_run_now` result
/// (`isError` for a dead run); canceled → `cancelled`. An in-process task (the conformance
/// fixture's jobs) stores its own status and result.
public final class MCPTaskService: MCPTaskBackend, Sendable {
    public static let ttlMs: Int64 = 86_400_000
    static let approvalKey = "approval"

    let service: TaskService
    private let local = Mutex<[String: @Sendable () -> Void]>([:])

    public init(service: TaskService) {
        self.service = service
    }

    private var store: TaskStore { service.store }

    // MARK: Creating

    /// A task that stands for the run chain started by due item `dueId`.
    public func runTask(dueId: Int64, owner: String?) async throws(StoreError) -> MCPTask {
        let row = try await store.mcpTasks.create(owner: owner, tool: "task_run_now", rootDueId: dueId, ttlMs: Self.ttlMs)
        return try await describe(row, nil)
    }

    /// What an in-process task's work ends with.
    public enum LocalOutcome: Sendable {
        case result(ToolResult)
        case error(RPCError)
    }

    /// Creates a task, then runs `work` in this process and records its outcome; `tasks/cancel`
    /// cancels the work.
    public func localTask(tool: String, owner: String?, _ work: @escaping @Sendable () async -> LocalOutcome) async throws(StoreError) -> MCPTask {
        let row = try await store.mcpTasks.create(owner: owner, tool: tool, rootDueId: nil, ttlMs: Self.ttlMs)
        let store = self.store
        let server = service.server
        let running = Task {
            let outcome = await work()
            guard !Task.isCancelled else { return }
            switch outcome {
            case .result(let result):
                try? await store.mcpTasks.finish(id: row.id, status: "completed", message: nil, result: .object(result.json), error: nil)
            case .error(let error):
                try? await store.mcpTasks.finish(id: row.id, status: "failed", message: error.message, result: nil, error: error.json)
            }
            server.taskUpdated(row.id)
        }
        local.withLock { $0[row.id] = { running.cancel() } }
        return try await describe(row, nil)
    }

    // MARK: MCPTaskBackend

    public func task(_ id: String, owner: String?) async throws(RPCError) -> MCPTask? {
        do throws(StoreError) {
            guard let (row, run) = try await store.mcpTasks.task(id: id) else { return nil }
            if let owner, let rowOwner = row.owner, owner != rowOwner { return nil }
            return try await describe(row, run)
        } catch {
            throw Self.rpc(error)
        }
    }

    public func update(_ id: String, inputResponses: JSONObject, owner: String?) async throws(RPCError) {
        guard let answer = inputResponses[Self.approvalKey] else { return }
        do throws(TaskServiceError) {
            guard let (row, run) = try await TaskServiceError.storing({ () throws(StoreError) in try await store.mcpTasks.task(id: id) }),
                  let run, run.status == .waiting, row.cancelledAt == nil else { return }
            // An elicitation result: accept with {approved, comment}, or decline (a rejection);
            // cancel leaves the question open.
            let action = answer["action"]?.stringValue ?? "accept"
            guard action != "cancel" else { return }
            let content = answer["content"] ?? answer
            let approved = action == "accept" && content["approved"]?.boolValue == true
            _ = try await service.approve(runId: run.id, approved: approved, comment: content["comment"]?.stringValue, actor: "mcp-task:\(id)")
            service.server.taskUpdated(id)
        } catch .store(let error) where error.kind == .conflict || error.kind == .notFound {
            return  // answered meanwhile: ignored, as the extension asks
        } catch {
            throw Self.rpc(error)
        }
    }

    public func cancel(_ id: String, owner: String?) async throws(RPCError) -> MCPTask? {
        do throws(StoreError) {
            try await store.mcpTasks.cancel(id: id, actor: owner ?? "mcp")
        } catch {
            throw Self.rpc(error)
        }
        local.withLock { $0.removeValue(forKey: id) }?()
        service.server.taskUpdated(id)
        return try await task(id, owner: owner)
    }

    public func tasks(owner: String?) async throws(RPCError) -> [MCPTask] {
        var tasks: [MCPTask] = []
        do throws(StoreError) {
            for id in try await store.mcpTasks.ids(owner: owner) {
                if let (row, run) = try await store.mcpTasks.task(id: id) { tasks.append(try await describe(row, run)) }
            }
        } catch {
            throw Self.rpc(error)
        }
        return tasks
    }

    // MARK: Describing

    private func describe(_ row: MCPTaskRow, _ run: RunRecord?) async throws(StoreError) -> MCPTask {
        var task = MCPTask(taskId: row.id, status: .working, createdAt: isoTime(row.createdAt), lastUpdatedAt: isoTime(row.updatedAt),
                           ttlMs: row.ttlMs, pollIntervalMs: 500)
        if row.cancelledAt != nil {
            task.status = .cancelled
            return task
        }
        guard row.rootDueId != nil else {
            task.status = MCPTask.Status(rawValue: row.status) ?? .working
            task.statusMessage = row.statusMessage
            task.result = row.result?.objectValue
            if let error = row.error {
                task.error = RPCError(code: Int(error["code"]?.integerValue ?? -32603), message: error["message"]?.stringValue ?? "failed",
                                      data: error["data"])
            }
            return task
        }
        guard let run else {
            task.statusMessage = "queued"
            return task
        }
        task.lastUpdatedAt = isoTime(run.finishedAt ?? run.startedAt ?? row.updatedAt)
        switch run.status {
        case .running:
            task.statusMessage = "attempt \(run.attempt) running"
        case .failed:
            task.statusMessage = "attempt \(run.attempt) failed, a retry is scheduled: \(run.error ?? "")"
        case .waiting:
            let prompt = try await store.approvals.approval(runId: run.id)?.prompt ?? "Approve this run?"
            task.status = .inputRequired
            task.statusMessage = prompt
            task.inputRequests = [Self.approvalKey: .elicitation(message: prompt, requestedSchema: [
                "type": "object", "required": ["approved"],
                "properties": ["approved": ["type": "boolean", "title": "Approve"], "comment": ["type": "string", "title": "Comment"]],
            ])]
        case .succeeded, .dead:
            task.status = .completed
            let structured: JSONValue = ["queued": true, "due_id": .integer(row.rootDueId!), "run": run.json]
            var result = ToolResult.structured(structured)
            if run.status == .dead {
                result.isError = true
                result.content = [.text("the run failed: \(run.error ?? "no message")")]
            }
            task.result = result.json
        case .canceled:
            task.status = .cancelled
            task.statusMessage = run.error
        }
        return task
    }

    static func rpc(_ error: TaskServiceError) -> RPCError {
        switch error {
        case .invalid(let error): return .invalidParams(error.message)
        case .store(let error): return rpc(error)
        }
    }

    static func rpc(_ error: StoreError) -> RPCError {
        switch error.kind {
        case .notFound: return .invalidParams(error.message)
        case .conflict: return .invalidRequest(error.message)
        case .unavailable: return .internalError(error.message)
        }
    }
}
