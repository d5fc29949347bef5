import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautMCP
import OrdinautStore

/// The MCP surface of the scheduler: tools for agents to manage their work (names valid for strict
/// clients: letters, digits and `_`) and the resources `ordinaut://tasks/{id}` and `ordinaut://runs/{id}`.
public enum TaskTools {
    static let idSchema: JSONValue = ["type": "string", "minLength": 1, "maxLength": 100]
    static let taskSchema: JSONValue = [
        "type": "object", "required": ["id", "title", "schedule_kind", "status", "payload"],
        "properties": ["id": ["type": "string"], "status": ["type": "string", "enum": ["active", "paused", "canceled"]]],
    ]
    static let runSchema: JSONValue = [
        "type": "object", "required": ["id", "task_id", "status", "attempt"],
        "properties": ["id": ["type": "string"], "status": ["type": "string", "enum": .array(RunStatus.allCases.map { .string($0.rawValue) })]],
    ]
    static let taskFields: JSONObject = [
        "title": ["type": "string", "minLength": 1, "maxLength": 200, "description": "What the task does."],
        "description": ["type": ["string", "null"], "maxLength": 10000],
        "schedule_kind": ["type": "string", "enum": ["cron", "rrule", "once", "event", "condition"]],
        "schedule_expr": [
            "type": ["string", "null"],
            "description": "cron: five fields (`0 9 * * 1-5`); rrule: `FREQ=WEEKLY;BYDAY=MO;BYHOUR=8`; once: ISO-8601 time; event: a topic pattern (`invoice.*`); condition: `<pattern> when <JMESPath>`.",
        ],
        "timezone": ["type": "string", "description": "IANA time zone of the schedule (default UTC)."],
        "payload": [
            "type": "object", "required": ["pipeline"],
            "description": "{\"pipeline\": [{\"id\", \"uses\", \"with\", \"save_as\", \"if\", \"timeout_seconds\", \"retries\"}], \"params\": {}}; `with` may use ${params.x}, ${steps.id.field}, ${event.payload.x}, ${now}.",
            "properties": ["pipeline": ["type": "array", "minItems": 1], "params": ["type": "object"]],
        ],
        "priority": ["type": "integer", "minimum": 1, "maximum": 9, "description": "9 runs first (default 5)."],
        "dedupe_key": ["type": ["string", "null"]],
        "dedupe_window_seconds": ["type": "integer", "minimum": 0],
        "max_retries": ["type": "integer", "minimum": 0, "maximum": 100],
        "backoff_strategy": ["type": "string", "enum": ["exponential_jitter", "exponential", "linear", "fixed"]],
        "concurrency_key": ["type": ["string", "null"], "description": "At most one run at a time among tasks with this key."],
        "max_consecutive_failures": [
            "type": ["integer", "null"], "minimum": .integer(Int64(SchedulerConfiguration.taskFailureLimits.lowerBound)),
            "maximum": .integer(Int64(SchedulerConfiguration.taskFailureLimits.upperBound)),
            "description": "Pause the task after this many runs in a row end dead (failed after their retries); null: the server's default (off unless ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES is set). Resuming clears the count.",
        ],
    ]

    /// Registers the tools and resource templates on `service`'s server.
    public static func register(_ service: TaskService) throws(RegistrationError) {
        let server = service.server
        // The actor of every change is the authenticated principal, never what the client says it is.
        func tool(_ name: String, _ description: String, _ properties: JSONObject, required: [String] = [],
                  output: JSONValue, readOnly: Bool = false, scope: String,
                  _ body: @escaping @Sendable (JSONObject, Principal) async throws(TaskServiceError) -> JSONValue) throws(RegistrationError) {
            try contextTool(name, description, properties, required: required, output: output, readOnly: readOnly, scope: scope) { arguments, context throws(TaskServiceError) in
                try await body(arguments, context.principal)
            }
        }
        func contextTool(_ name: String, _ description: String, _ properties: JSONObject, required: [String] = [],
                         output: JSONValue, readOnly: Bool = false, scope: String,
                         _ body: @escaping @Sendable (JSONObject, RequestContext) async throws(TaskServiceError) -> JSONValue) throws(RegistrationError) {
            try server.tools.register(Tool(
                name: name, description: description,
                inputSchema: ["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string)), "additionalProperties": false],
                outputSchema: output,
                annotations: ["readOnlyHint": .bool(readOnly), "destructiveHint": .bool(name.hasSuffix("cancel")), "openWorldHint": false],
                scope: scope
            ) { arguments, context in
                do throws(TaskServiceError) {
                    return .structured(try await body(arguments, context))
                } catch {
                    throw ToolError(error.description)
                }
            })
        }
        let idOnly: JSONObject = ["id": idSchema]
        var createFields = taskFields
        createFields["status"] = ["type": "string", "enum": ["active", "paused"]]
        try tool("task_create", "Create a scheduled task whose payload is a pipeline of tool calls.", createFields,
                 required: ["title", "schedule_kind", "payload"], output: taskSchema, scope: Scope.tasksWrite) { arguments, principal throws(TaskServiceError) in
            try await service.create(arguments, principal: principal).json
        }
        try tool("schedule_preview", "Preview a schedule before creating a task: its next occurrences in UTC and in its time zone, with DST shifts marked (`moved`: the wall-clock time did not exist; `offset_changed`: a transition lies before it). Creates nothing.",
                 ScheduleForecast.inputSchema, required: ["schedule_kind", "schedule_expr"],
                 output: ["type": "object", "required": ["schedule_kind", "timezone", "occurrences"]], readOnly: true,
                 scope: Scope.tasksRead) { arguments, _ throws(TaskServiceError) in
            try TaskServiceError.checking { () throws(InputError) in try ScheduleForecast.preview(arguments, now: service.store.clock()) }
        }
        try tool("task_list", "List tasks, oldest first, with filters and pagination.", [
            "status": ["type": "string", "enum": ["active", "paused", "canceled"]], "created_by": ["type": "string"],
            "schedule_kind": ["type": "string", "enum": ["cron", "rrule", "once", "event", "condition"]],
            "limit": ["type": "integer", "minimum": 1, "maximum": 500], "offset": ["type": "integer", "minimum": 0],
        ], output: ["type": "object", "required": ["items", "has_more"]], readOnly: true, scope: Scope.tasksRead) { arguments, _ throws(TaskServiceError) in
            let page = try await service.tasks(TaskRepository.Filter(
                status: arguments["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)), createdBy: arguments["created_by"]?.stringValue,
                scheduleKind: arguments["schedule_kind"]?.stringValue.flatMap(ScheduleKind.init(rawValue:)),
                limit: Int(arguments["limit"]?.integerValue ?? 50), offset: Int(arguments["offset"]?.integerValue ?? 0)))
            return ["items": .array(page.items.map(\.json)), "has_more": .bool(page.hasMore)]
        }
        try tool("task_get", "Get a task and its five latest runs.", idOnly, required: ["id"],
                 output: ["type": "object", "required": ["task", "recent_runs"]], readOnly: true, scope: Scope.tasksRead) { arguments, _ throws(TaskServiceError) in
            let id = arguments["id"]!.stringValue!
            let task = try await service.task(id: id)
            let runs = try await service.runs(WorkQueue.RunFilter(taskId: id, limit: 5))
            return ["task": task.json, "recent_runs": .array(runs.items.map(\.json))]
        }
        var updateFields = taskFields
        updateFields["created_by"] = nil
        try tool("task_update", "Change fields of a task; its schedule and pipeline are checked again.",
                 ["id": idSchema, "changes": ["type": "object", "properties": .object(updateFields), "additionalProperties": false, "minProperties": 1]],
                 required: ["id", "changes"], output: taskSchema, scope: Scope.tasksWrite) { arguments, principal throws(TaskServiceError) in
            try await service.update(id: arguments["id"]!.stringValue!, patch: arguments["changes"]?.objectValue ?? [:], principal: principal).json
        }
        try tool("task_pause", "Pause a task: it keeps its schedule but produces no work.", idOnly, required: ["id"], output: taskSchema, scope: Scope.tasksWrite) {
            arguments, principal throws(TaskServiceError) in try await service.pause(id: arguments["id"]!.stringValue!, actor: principal.displayName).json
        }
        try tool("task_resume", "Resume a paused task; its next run is computed from now.", idOnly, required: ["id"], output: taskSchema, scope: Scope.tasksWrite) {
            arguments, principal throws(TaskServiceError) in try await service.resume(id: arguments["id"]!.stringValue!, actor: principal.displayName).json
        }
        try tool("task_cancel", "Cancel a task for good; queued work no worker holds is removed.", idOnly, required: ["id"], output: taskSchema, scope: Scope.tasksWrite) {
            arguments, principal throws(TaskServiceError) in try await service.cancel(id: arguments["id"]!.stringValue!, actor: principal.displayName).json
        }
        try tool("task_snooze", "Postpone a task's scheduled work by a number of seconds.",
                 ["id": idSchema, "seconds": ["type": "integer", "minimum": 1, "maximum": 604800]], required: ["id", "seconds"], output: taskSchema, scope: Scope.tasksWrite) {
            arguments, principal throws(TaskServiceError) in
            try await service.snooze(id: arguments["id"]!.stringValue!, seconds: Int(arguments["seconds"]!.integerValue!), actor: principal.displayName).json
        }
        // Answered with an MCP task when the client accepts one: the run is queued and the task created
        // durably before the answer; `tasks/get` then follows the run, approvals included.
        try server.tools.register(Tool(
            name: "task_run_now", description: "Queue a run of a task now; with wait, return the run once it ends (or waits for approval). Clients that accept MCP tasks get a task that follows the run.",
            inputSchema: ["type": "object", "required": ["id"], "additionalProperties": false, "properties": [
                "id": idSchema, "wait": ["type": "boolean"], "timeout_seconds": ["type": "number", "exclusiveMinimum": 0, "maximum": 3600],
            ]],
            outputSchema: ["type": "object", "required": ["queued"]],
            annotations: ["readOnlyHint": false, "destructiveHint": false, "openWorldHint": true],
            execution: ["taskSupport": "optional"],
            scope: Scope.tasksWrite
        ) { arguments, context in
            let id = arguments["id"]!.stringValue!
            var created: MCPTask?
            let result: ToolResult
            do throws(TaskServiceError) {
                guard let due = try await service.runNow(id: id, actor: context.principal.displayName) else {
                    return .structured(["queued": false, "reason": "suppressed by the task's dedupe key"])
                }
                if context.acceptsTasks, let tasks = service.mcpTasks {
                    created = try await TaskServiceError.storing { () throws(StoreError) in try await tasks.runTask(dueId: due, owner: context.taskOwner) }
                    result = .structured([:])
                } else {
                    result = try await wait(due)
                }
            } catch {
                throw ToolError(error.description)
            }
            if let created { throw TaskCreated(created) }
            return result

            func wait(_ due: Int64) async throws(TaskServiceError) -> ToolResult {
                guard arguments["wait"] == true else { return .structured(["queued": true, "due_id": .integer(due)]) }
                let timeout = arguments["timeout_seconds"]?.doubleValue ?? 60
                guard let run = try await service.awaitRun(dueId: due, taskId: id, timeout: timeout) else {
                    return .structured(["queued": true, "due_id": .integer(due), "run": .null, "note": "the run did not end within the timeout"])
                }
                return .structured(["queued": true, "due_id": .integer(due), "run": run.json])
            }
        })
        try tool("run_list", "List runs, newest first.", [
            "task_id": ["type": "string"], "status": ["type": "string", "enum": .array(RunStatus.allCases.map { .string($0.rawValue) })],
            "limit": ["type": "integer", "minimum": 1, "maximum": 500], "offset": ["type": "integer", "minimum": 0],
        ], output: ["type": "object", "required": ["items", "has_more"]], readOnly: true, scope: Scope.tasksRead) { arguments, _ throws(TaskServiceError) in
            let page = try await service.runs(WorkQueue.RunFilter(
                taskId: arguments["task_id"]?.stringValue, status: arguments["status"]?.stringValue.flatMap(RunStatus.init(rawValue:)),
                limit: Int(arguments["limit"]?.integerValue ?? 50), offset: Int(arguments["offset"]?.integerValue ?? 0)))
            return ["items": .array(page.items.map(\.json)), "has_more": .bool(page.hasMore)]
        }
        try tool("run_get", "Get a run: status, every step's input, output and error, and any pending approval.", idOnly,
                 required: ["id"], output: runSchema, readOnly: true, scope: Scope.tasksRead) { arguments, _ throws(TaskServiceError) in
            try await service.runDetail(id: arguments["id"]!.stringValue!)
        }
        try tool("run_approve", "Answer the approval a run waits for: approved continues it, rejected ends it.",
                 ["id": idSchema, "approved": ["type": "boolean"], "comment": ["type": "string", "maxLength": 2000]],
                 required: ["id", "approved"], output: runSchema, scope: Scope.runsApprove) { arguments, principal throws(TaskServiceError) in
            try await service.approve(runId: arguments["id"]!.stringValue!, approved: arguments["approved"] == true,
                                      comment: arguments["comment"]?.stringValue, actor: principal.displayName).json
        }
        try tool("run_cancel", "Cancel a run that waits for approval or has not started.", idOnly, required: ["id"], output: runSchema, scope: Scope.runsWrite) {
            arguments, principal throws(TaskServiceError) in try await service.cancelRun(id: arguments["id"]!.stringValue!, actor: principal.displayName).json
        }
        try contextTool("event_publish", "Publish an event; event and condition tasks whose pattern matches its topic run.",
                        ["topic": ["type": "string", "minLength": 1, "maxLength": 200], "payload": ["description": "Any JSON value."]],
                        required: ["topic"], output: ["type": "object", "required": ["event_id", "triggered_task_ids"]], scope: Scope.eventsPublish) { arguments, context throws(TaskServiceError) in
            // A run passes its causation; whoever else sets it can only shorten their own events' reach.
            let (event, triggered) = try await service.publish(topic: arguments["topic"]!.stringValue!, payload: arguments["payload"] ?? .null,
                                                               actor: context.principal.displayName, causation: Causation(json: context.meta[Causation.metaKey]))
            return ["event_id": .string(event.id), "stream": .string(event.stream), "triggered_task_ids": .array(triggered.map(JSONValue.string))]
        }

        try server.resources.register(ResourceTemplate(
            uriTemplate: "ordinaut://tasks/{id}", name: "task", title: "Task",
            description: "A scheduled task with its latest runs, as JSON.", mimeType: "application/json", scope: Scope.tasksRead
        ) { uri, variables, _ in
            let id = variables["id"] ?? ""
            let task = try await service.task(id: id)
            let runs = try await service.runs(WorkQueue.RunFilter(taskId: id, limit: 5))
            let body: JSONValue = ["task": task.json, "recent_runs": .array(runs.items.map(\.json))]
            return [ResourceContents(uri: uri, mimeType: "application/json", text: body.encodedString())]
        })
        try server.resources.register(ResourceTemplate(
            uriTemplate: "ordinaut://runs/{id}", name: "run", title: "Run",
            description: "One run of a task: status, steps and any pending approval, as JSON.", mimeType: "application/json", scope: Scope.tasksRead
        ) { uri, variables, _ in
            let body = try await service.runDetail(id: variables["id"] ?? "")
            return [ResourceContents(uri: uri, mimeType: "application/json", text: body.encodedString())]
        })
    }
}
