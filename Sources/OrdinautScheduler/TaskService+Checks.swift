import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import OrdinautStore
import OrdinautTracing

/// The checks a task passes before it is stored, each refusal an `InputError` naming its field.
extension TaskService {
    /// Checks a task's schedule and pipeline against the tools registered now, and that its
    /// templates and condition stay within the evaluation limits on what is already known.
    func check(_ task: TaskRecord) throws(InputError) -> Schedule {
        let schedule = try task.schedule()
        let pipeline = try Pipeline(payload: task.payload, registry: server.tools)
        try pipeline.checkEvaluation(configuration.limits.evaluation)
        try schedule.checkEvaluation(configuration.limits.conditionEvaluation)
        return schedule
    }

    /// The task `input` would create, with every check `create` makes (fields, scopes, schedule,
    /// pipeline against the registered tools' schemas, the evaluation dry run), stored nowhere.
    func prepare(_ input: JSONObject, principal: Principal) throws(InputError) -> TaskRecord {
        let actor = principal.displayName
        try TaskInput.checkKeys(input, allowed: TaskInput.fields)
        for field in ["title", "schedule_kind", "payload"] where input[field] == nil {
            throw InputError("\(field) is required", field: field)
        }
        let now = store.clock()
        var task = TaskRecord(id: UUIDv7.make(), title: "", createdBy: actor, scheduleKind: .once, scheduleExpr: nil,
                              payload: [:], createdAt: now)
        try TaskInput.apply(input, to: &task)
        if principal.method != .local && principal.method != .anonymous { task.createdBy = actor }
        task.creatorScopes = principal.scopes == .all ? nil : principal.scopes.sorted
        task.traceParent = Spans.current?.traceparent
        try checkScopes(of: task, for: principal)
        let schedule = try check(task)
        task.nextRunAt = Self.nextRun(task, schedule, now: now)
        if case .once = schedule {} else if task.scheduleKind == .cron || task.scheduleKind == .rrule, task.nextRunAt == nil {
            throw InputError("schedule_expr has no future occurrence", field: "schedule_expr")
        }
        return task
    }

    /// Applies `patch` to `task` and checks the result again, as `principal` edits it.
    func revise(_ task: inout TaskRecord, with patch: JSONObject, by principal: Principal, now: Int64) throws(InputError) {
        try TaskInput.apply(patch, to: &task)
        let scopes = task.runPrincipal.scopes.intersection(principal.scopes)
        task.creatorScopes = scopes == .all ? nil : scopes.sorted
        try checkScopes(of: task, for: Principal.taskCreator(task.createdBy, scopes: scopes))
        let schedule = try check(task)
        if patch["schedule_kind"] != nil || patch["schedule_expr"] != nil || patch["timezone"] != nil {
            task.nextRunAt = Self.nextRun(task, schedule, now: now)
        }
    }

    /// Refuses a pipeline step whose tool needs a scope `principal` does not hold.
    func checkScopes(of task: TaskRecord, for principal: Principal) throws(InputError) {
        guard principal.scopes != .all else { return }
        for (index, step) in (task.payload["pipeline"]?.arrayValue ?? []).enumerated() {
            guard let tool = step["uses"]?.stringValue,
                  let missing = server.missingScope(method: "tools/call", params: ["name": .string(tool)], principal: principal) else { continue }
            throw InputError("\(missing.operation) needs scope \"\(missing.scope)\", which the task's creator does not hold; runs act with the creator's scopes",
                             field: "payload.pipeline[\(index)].uses")
        }
    }
}
