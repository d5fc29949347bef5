import Logging
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautMCP
import OrdinautPipeline
import OrdinautStore
import Synchronization

/// The operations on tasks and runs that every surface offers — MCP tools, the REST API, the CLI —
/// with the same checks and the same errors: `TaskServiceError`, the input's or the store's.
public final class TaskService: Sendable {
    public let store: TaskStore
    public let server: MCPServer
    public let bus: (any EventBus)?
    public let configuration: SchedulerConfiguration
    /// Rung when a change may bring a task's next fire time closer, so the scheduler looks again.
    public let schedulerBell = Doorbell()
    /// Rung when a run this process executed ends.
    let runBell = Doorbell()
    /// MCP tasks, once `serveMCPTasks()` was called.
    public var mcpTasks: MCPTaskService? { tasksSlot.withLock { $0 } }
    private let tasksSlot = Mutex<MCPTaskService?>(nil)
    private let triggered = Mutex<(loaded: Int64, tasks: [(TaskRecord, Schedule)])?>(nil)
    let triggerGuard: TriggerGuard
    /// Changes to tasks, runs, steps and approvals, for `GET /changes`.
    public let changes: ChangeFeed
    let observer: (any SchedulerObserver)?
    let logger: Logger

    public init(store: TaskStore, server: MCPServer, bus: (any EventBus)?, configuration: SchedulerConfiguration,
                observer: (any SchedulerObserver)? = nil, changes: ChangeFeed = ChangeFeed(),
                logger: Logger = Logger(label: "ordinaut.scheduler")) {
        self.store = store
        self.server = server
        self.bus = bus
        self.configuration = configuration
        self.triggerGuard = TriggerGuard(limits: configuration.limits)
        self.observer = observer
        self.changes = changes
        self.logger = logger
    }

    /// Serves MCP tasks (both wire forms) from this service's store, and returns them for tools that create some.
    @discardableResult
    public func serveMCPTasks() -> MCPTaskService {
        let tasks = MCPTaskService(service: self)
        tasksSlot.withLock { $0 = tasks }
        server.serveTasks(with: tasks)
        return tasks
    }

    // MARK: Tasks

    /// Creates a task as `principal`: it is the actor and, once authenticated, the `created_by` (a
    /// body's `created_by` is honoured only for the local user and anonymous loopback clients). The
    /// task keeps the principal's scopes, and its runs act with them; a step whose tool needs a scope
    /// the principal lacks is refused now.
    public func create(_ input: JSONObject, principal: Principal) async throws(TaskServiceError) -> TaskRecord {
        let task = try TaskServiceError.checking { () throws(InputError) in try prepare(input, principal: principal) }
        try await TaskServiceError.storing { () throws(StoreError) in try await store.tasks.create(task, actor: principal.displayName) }
        invalidateTriggered(task)
        changes.publish("task.created", Self.change(task))
        return task
    }

    public func task(id: String) async throws(TaskServiceError) -> TaskRecord {
        try await TaskServiceError.storing { () throws(StoreError) in try await store.tasks.task(id: id) }
    }

    public func tasks(_ filter: TaskRepository.Filter) async throws(TaskServiceError) -> Page<TaskRecord> {
        try await TaskServiceError.storing { () throws(StoreError) in try await store.tasks.list(filter) }
    }

    /// Changes the fields in `patch` as `principal`; the schedule and pipeline are checked again and
    /// the next run recomputed. The task's runs keep only the scopes both its creator and this
    /// principal hold, so that editing a task never lends the editor its creator's rights.
    public func update(id: String, patch: JSONObject, principal: Principal) async throws(TaskServiceError) -> TaskRecord {
        try TaskServiceError.checking { () throws(InputError) in try TaskInput.checkKeys(patch, allowed: TaskInput.mutable) }
        guard !patch.isEmpty else { throw .invalid("nothing to update: give at least one field", field: nil) }
        let task = try await updating(id: id, actor: principal.displayName, action: "task.update",
                                      details: ["fields": .array(patch.keys.map(JSONValue.string))]) { task, now throws(TaskServiceError) in
            guard task.status != .canceled else { throw .store(.conflict("task \(id) is canceled")) }
            do throws(InputError) {
                try self.revise(&task, with: patch, by: principal, now: now)
            } catch {
                throw .invalid(error)
            }
        }
        changed(task, "task.updated")
        return task
    }

    /// Changes task `id` under its row lock (see `TaskRepository.update`); `change` refuses by throwing.
    private func updating(id: String, actor: String, action: String, details: JSONValue = [:],
                          _ change: @escaping @Sendable (inout TaskRecord, Int64) throws(TaskServiceError) -> Void)
        async throws(TaskServiceError) -> TaskRecord {
        try await TaskServiceError.storing { () throws(StoreError) in
            try await store.tasks.update(id: id, actor: actor, action: action, details: details, change)
        }.get()
    }

    /// The first fire time from `now` on; a `once` task keeps its time even when it is past, so it still runs.
    static func nextRun(_ task: TaskRecord, _ schedule: Schedule, now: Int64) -> Int64? {
        guard task.status == .active else { return nil }
        if case .once(let at) = schedule { return at }
        return schedule.next(after: max(now - 1, task.snoozedUntil ?? now))
    }

    public func pause(id: String, actor: String) async throws(TaskServiceError) -> TaskRecord {
        let task = try await updating(id: id, actor: actor, action: "task.pause") { task, _ throws(TaskServiceError) in
            switch task.status {
            case .paused: throw .store(.conflict("task \(id) is already paused"))
            case .canceled: throw .store(.conflict("task \(id) is canceled"))
            case .active: task.status = .paused
            }
        }
        changed(task, "task.status")
        return task
    }

    /// Resumes a paused task: its next run is computed again from now (missed fire times are not run).
    public func resume(id: String, actor: String) async throws(TaskServiceError) -> TaskRecord {
        let task = try await updating(id: id, actor: actor, action: "task.resume") { task, now throws(TaskServiceError) in
            switch task.status {
            case .active: throw .store(.conflict("task \(id) is not paused"))
            case .canceled: throw .store(.conflict("task \(id) is canceled"))
            case .paused:
                task.status = .active
                task.consecutiveFailures = 0
                task.pausedReason = nil
                task.stoppedByRun = nil
                let schedule = try TaskServiceError.checking { [task] () throws(InputError) in try task.schedule() }
                if case .once(let at) = schedule {
                    // A one-off that has not fired yet still fires; one that fired stays done.
                    task.nextRunAt = task.nextRunAt == nil && at <= now ? nil : at
                } else {
                    task.nextRunAt = schedule.next(after: max(now - 1, task.snoozedUntil ?? now))
                }
            }
        }
        changed(task, "task.status")
        return task
    }

    /// Cancels a task for good: no more work is produced and queued work no worker holds is removed.
    public func cancel(id: String, actor: String) async throws(TaskServiceError) -> TaskRecord {
        let task = try await updating(id: id, actor: actor, action: "task.cancel") { task, _ throws(TaskServiceError) in
            guard task.status != .canceled else { throw .store(.conflict("task \(id) is already canceled")) }
            task.status = .canceled
            task.nextRunAt = nil
        }
        changed(task, "task.status")
        return task
    }

    /// Postpones the task's scheduled work by `seconds` (1–604800): nothing scheduled runs before then.
    public func snooze(id: String, seconds: Int, actor: String) async throws(TaskServiceError) -> TaskRecord {
        guard (1...604_800).contains(seconds) else { throw .invalid("seconds must be an integer from 1 to 604800", field: "seconds") }
        let task = try await updating(id: id, actor: actor, action: "task.snooze", details: ["seconds": .integer(Int64(seconds))]) {
            task, now throws(TaskServiceError) in
            guard task.status == .active else { throw .store(.conflict("task \(id) is \(task.status.rawValue); only active tasks can be snoozed")) }
            let until = now + Int64(seconds) * 1000
            task.snoozedUntil = until
            if let next = task.nextRunAt, next < until {
                let schedule = try TaskServiceError.checking { [task] () throws(InputError) in try task.schedule() }
                if case .once = schedule { task.nextRunAt = until } else { task.nextRunAt = schedule.next(after: until - 1) }
            }
        }
        changed(task, "task.updated")
        return task
    }

    /// Queues a run now. Refused for paused and canceled tasks.
    public func runNow(id: String, actor: String) async throws(TaskServiceError) -> Int64? {
        let task = try await self.task(id: id)
        _ = try TaskServiceError.checking { () throws(InputError) in try check(task) }
        let due = try await TaskServiceError.storing { () throws(StoreError) in try await store.queue.enqueue(taskId: id, trigger: .manual, actor: actor) }
        server.resourceUpdated(Self.taskURI(id))
        return due
    }

    // MARK: Runs

    public func run(id: String) async throws(TaskServiceError) -> RunRecord {
        try await TaskServiceError.storing { () throws(StoreError) in try await store.queue.run(id: id) }
    }

    public func runs(_ filter: WorkQueue.RunFilter) async throws(TaskServiceError) -> Page<RunRecord> {
        try await TaskServiceError.storing { () throws(StoreError) in try await store.queue.runs(filter) }
    }

    public func approve(runId: String, approved: Bool, comment: String?, actor: String) async throws(TaskServiceError) -> RunRecord {
        let run = try await TaskServiceError.storing { () throws(StoreError) in
            try await store.approvals.answer(runId: runId, approved: approved, by: actor, comment: comment)
        }
        server.resourceUpdated(Self.runURI(runId))
        var change = Self.change(run)
        change["approved"] = .bool(approved)
        changes.publish("approval.answered", change)
        return run
    }

    public func cancelRun(id: String, actor: String) async throws(TaskServiceError) -> RunRecord {
        let run = try await TaskServiceError.storing { () throws(StoreError) in try await store.queue.cancelRun(id: id, actor: actor) }
        server.resourceUpdated(Self.runURI(id))
        changes.publish("run.finished", Self.change(run))
        return run
    }

    // MARK: Events

    /// Publishes an event named `topic` and starts the runs of the event and condition tasks it
    /// matches; returns the event and the ids of the tasks it triggered.
    /// `causation` is set when a run publishes the event (see `Causation`).
    public func publish(topic: String, payload: JSONValue, actor: String,
                        causation: Causation? = nil) async throws(TaskServiceError) -> (event: Event, triggered: [String]) {
        if let problem = StreamName.problem(with: topic, as: "topic") { throw .invalid(problem, field: "topic") }
        let event: Event
        if let bus {
            do throws(EventBusError) {
                event = try await bus.publish(source: "ordinaut", namespace: StreamName.defaultNamespace, name: topic, payload: payload,
                                              causation: causation)
            } catch where error.isInvalidInput {
                throw .invalid("the event bus refused the event: \(error)", field: "payload")
            } catch {
                throw .store(.unavailable("the event bus refused the event: \(error)"))
            }
        } else {
            let now = store.clock()
            event = Event(id: "\(now)-0", source: "ordinaut", namespace: StreamName.defaultNamespace, name: topic, payload: payload,
                          timestamp: now, causation: causation)
        }
        // The bus may have delivered the event to this or another node's scheduler first; either way
        // the firings are recorded once, so they are read back rather than counted here.
        let triggered = try await TaskServiceError.storing { () throws(StoreError) in
            try await trigger(event, actor: actor)
            return try await store.tasks.tasksFired(byEvent: event.id)
        }
        return (event, triggered)
    }

    /// Queues a run of every active event or condition task that `event` fires (once per task and
    /// event), unless the task's `TriggerGuard` refuses it.
    @discardableResult
    public func trigger(_ event: Event, actor: String) async throws(StoreError) -> [String] {
        var fired: [String] = []
        for (task, schedule) in try await triggeredTasks() {
            do throws(TemplateError) {
                guard try schedule.fires(for: event, limits: configuration.limits.conditionEvaluation) else { continue }
            } catch {
                observer?.triggerRefused(reason: "condition")
                logger.warning("a condition task's condition could not be evaluated", metadata: [
                    "task": .string(task.id), "event": .string(event.id), "error": .string(error.description),
                ])
                continue
            }
            if let refusal = triggerGuard.refusal(for: event, taskId: task.id) {
                await refused(task, event: event, refusal)
                continue
            }
            do throws(StoreError) {
                if try await store.queue.enqueue(taskId: task.id, trigger: .event, context: ["event": event.json], eventId: event.id, actor: actor) != nil {
                    fired.append(task.id)
                }
            } catch where error.kind == .conflict || error.kind == .notFound {
                continue  // paused or deleted since the list was read
            }
        }
        return fired
    }

    /// Counts, logs and — once a minute per task — audits an event that may not start a run.
    private func refused(_ task: TaskRecord, event: Event, _ refusal: TriggerGuard.Refusal) async {
        observer?.triggerRefused(reason: refusal.rawValue)
        guard triggerGuard.shouldReport(refusal, taskId: task.id) else { return }
        let reason = refusal.reason(configuration.limits, event: event)
        logger.warning("an event did not start a run", metadata: ["task": .string(task.id), "event": .string(event.id), "reason": .string(reason)])
        var details: JSONObject = ["event_id": .string(event.id), "stream": .string(event.stream), "limit": .string(refusal.rawValue), "reason": .string(reason)]
        if let causation = event.causation { details["causation"] = causation.json }
        try? await store.audit.record(actor: configuration.nodeID, action: "task.trigger_refused", taskId: task.id, details: .object(details))
    }

    private func triggeredTasks() async throws(StoreError) -> [(TaskRecord, Schedule)] {
        let now = store.clock()
        if let cached = triggered.withLock({ $0 }), now - cached.loaded < 2_000 { return cached.tasks }
        let tasks = try await store.tasks.triggeredTasks().compactMap { task -> (TaskRecord, Schedule)? in
            guard let schedule = try? task.schedule() else { return nil }
            return (task, schedule)
        }
        triggered.withLock { $0 = (now, tasks) }
        return tasks
    }

    private func invalidateTriggered(_ task: TaskRecord) {
        if task.scheduleKind == .event || task.scheduleKind == .condition { triggered.withLock { $0 = nil } }
        schedulerBell.ring()
    }

    func changed(_ task: TaskRecord, _ change: String) {
        triggered.withLock { $0 = nil }
        schedulerBell.ring()
        server.resourceUpdated(Self.taskURI(task.id))
        changes.publish(change, Self.change(task))
    }

    static func change(_ task: TaskRecord) -> JSONObject {
        ["task_id": .string(task.id), "title": .string(task.title), "status": .string(task.status.rawValue)]
    }

    static func change(_ run: RunRecord) -> JSONObject {
        ["run_id": .string(run.id), "task_id": .string(run.taskId), "status": .string(run.status.rawValue), "attempt": .integer(Int64(run.attempt))]
    }

    public static func taskURI(_ id: String) -> String { "ordinaut://tasks/\(id)" }
    public static func runURI(_ id: String) -> String { "ordinaut://runs/\(id)" }
}

extension TaskService {
    /// A run with its pending approval, if it waits for one.
    public func runDetail(id: String) async throws(TaskServiceError) -> JSONValue {
        try await TaskServiceError.storing { () throws(StoreError) in
            let run = try await store.queue.run(id: id)
            var json = run.json.objectValue ?? [:]
            if run.status == .waiting, let approval = try await store.approvals.approval(runId: id) { json["approval"] = approval.json }
            return .object(json)
        }
    }

    /// Called when a run this process executed was recorded as ended or parked.
    func runFinished(_ id: String) {
        runBell.ring()
    }

    /// Waits up to `timeout` seconds for the run of due item `dueId` to end (or park at an approval);
    /// `nil` if it did not. Runs finished by other nodes are noticed within half a second.
    public func awaitRun(dueId: Int64, taskId: String, timeout: Double) async throws(TaskServiceError) -> RunRecord? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var runId: String?
        while ContinuousClock.now < deadline {
            if runId == nil { runId = try await TaskServiceError.storing { () throws(StoreError) in try await store.queue.runID(ofDue: dueId) } }
            if let runId {
                let run = try await self.run(id: runId)
                if run.status != .running { return run }
            }
            await runBell.wait(timeout: .milliseconds(500))
        }
        return nil
    }
}

extension TaskRecord {
    /// Who a scheduled run of this task acts as: its creator, with the scopes stored at creation.
    /// Tasks created before scopes were stored keep every scope, as they had then.
    var runPrincipal: Principal {
        Principal.taskCreator(createdBy, scopes: creatorScopes.map { ScopeSet($0) } ?? .all)
    }
}
