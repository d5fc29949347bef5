import OrdinautCore

/// The backend and task id a `tasks/*` request names; -32601 when this server serves no tasks, and
/// -32021 when a 2026-07-28 client did not declare the tasks extension on this request.
private func target(_ params: JSONObject, _ context: RequestContext, method: String) throws(RPCError) -> (any MCPTaskBackend, String) {
    guard let backend = context.server.taskBackend.backend else { throw RPCError.methodNotFound(method) }
    if case .session(let version) = context.era, version < "2025-11-25" { throw RPCError.methodNotFound(method) }
    try context.requireTasksExtension(for: method)
    guard let id = params["taskId"]?.stringValue, !id.isEmpty, id.utf8.count <= 200 else {
        throw RPCError.invalidParams("\(method) needs a string \"taskId\"")
    }
    return (backend, id)
}

private func existing(_ backend: any MCPTaskBackend, _ id: String, _ context: RequestContext) async throws(RPCError) -> MCPTask {
    guard let task = try await backend.task(id, owner: context.taskOwner) else { throw RPCError.invalidParams("no task \(id)") }
    return task
}

/// `tasks/get`: a `DetailedTask` (2026-07-28) or the `Task` object (2025-11-25).
struct GetTaskMethod: MethodHandler {
    static let name = "tasks/get"
    static let targetParameter: String? = "taskId"

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let (backend, id) = try target(params, context, method: Self.name)
        let task = try await existing(backend, id, context)
        return .object(context.era.isStateless ? task.detailed : task.legacy)
    }
}

/// `tasks/update` (2026-07-28): answers some of a task's input requests; an empty acknowledgement.
struct UpdateTaskMethod: MethodHandler {
    static let name = "tasks/update"
    static let targetParameter: String? = "taskId"
    static let eras: Set<ProtocolEra.Kind> = [.stateless]

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let (backend, id) = try target(params, context, method: Self.name)
        guard let responses = params["inputResponses"]?.objectValue else {
            throw RPCError.invalidParams("tasks/update needs an \"inputResponses\" object")
        }
        _ = try await existing(backend, id, context)
        try await backend.update(id, inputResponses: responses, owner: context.taskOwner)
        return [:]
    }
}

/// `tasks/cancel`: an empty acknowledgement (2026-07-28, cooperative), or the cancelled `Task`
/// (2025-11-25, where cancelling a finished task is -32602).
struct CancelTaskMethod: MethodHandler {
    static let name = "tasks/cancel"
    static let targetParameter: String? = "taskId"

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let (backend, id) = try target(params, context, method: Self.name)
        let task = try await existing(backend, id, context)
        if !context.era.isStateless && task.status.isTerminal {
            throw RPCError.invalidParams("task \(id) already ended (\(task.status.rawValue))")
        }
        let cancelled = try await backend.cancel(id, owner: context.taskOwner) ?? task
        return context.era.isStateless ? [:] : .object(cancelled.legacy)
    }
}

/// `tasks/result` (2025-11-25): waits for the task to end and answers what the original request
/// would have, asking the client (on this request's stream) whatever the task needs meanwhile.
struct TaskResultMethod: MethodHandler {
    static let name = "tasks/result"
    static let eras: Set<ProtocolEra.Kind> = [.session]

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let (backend, id) = try target(params, context, method: Self.name)
        let related: JSONObject = ["io.modelcontextprotocol/related-task": ["taskId": .string(id)]]
        while true {
            let task = try await existing(backend, id, context)
            switch task.status {
            case .completed:
                var result = task.result ?? ["content": []]
                var meta = result["_meta"]?.objectValue ?? [:]
                for (key, value) in related { meta[key] = value }
                result["_meta"] = .object(meta)
                return .object(result)
            case .failed:
                throw task.error ?? RPCError.internalError("task \(id) failed")
            case .cancelled:
                throw RPCError.invalidRequest("task \(id) was cancelled")
            case .inputRequired:
                let answers: [String: JSONValue]
                do {
                    answers = try await context.requestInput(task.inputRequests)
                } catch let error as RPCError {
                    throw error
                } catch {
                    throw RPCError.internalError("could not ask the client for the task's input: \(error)")
                }
                try await backend.update(id, inputResponses: JSONObject(answers.map { ($0.key, $0.value) }), owner: context.taskOwner)
            case .working:
                do {
                    try await Task.sleep(for: .milliseconds(task.pollIntervalMs ?? 500))
                } catch {
                    throw RPCError.internalError("tasks/result was cancelled")
                }
            }
        }
    }
}

/// `tasks/list` (2025-11-25): the tasks this session created, newest first, paginated.
struct ListTasksMethod: MethodHandler {
    static let name = "tasks/list"
    static let eras: Set<ProtocolEra.Kind> = [.session]

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let backend = context.server.taskBackend.backend, context.era.version >= "2025-11-25" else {
            throw RPCError.methodNotFound(Self.name)
        }
        let tasks = try await backend.tasks(owner: context.taskOwner)
        let page = try Pagination.page(tasks, params: params, size: context.server.configuration.pageSize)
        return Pagination.result("tasks", page.items.map { .object($0.legacy) }, next: page.next)
    }
}
