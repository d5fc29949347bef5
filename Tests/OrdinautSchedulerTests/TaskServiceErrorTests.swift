import OrdinautAuth
import OrdinautCore
import OrdinautMCP
@testable import OrdinautScheduler
import OrdinautStore
import Testing

/// Input problems and store failures travel apart: the checks throw `InputError`, the store
/// `StoreError`, and the service one of the two as `TaskServiceError`, which every surface maps.
@Suite("Task service errors: invalid input apart from the store")
struct TaskServiceErrorTests {
    static let principal = Principal(subject: "tests", displayName: "tests", scopes: .all, method: .local)

    @Test func anErrorSaysItsMessageThenItsField() {
        let invalid = TaskServiceError.invalid("priority must be an integer from 1 to 9", field: "priority")
        #expect(invalid == .invalid(InputError("priority must be an integer from 1 to 9", field: "priority")))
        #expect(invalid.message == "priority must be an integer from 1 to 9" && invalid.field == "priority")
        #expect(invalid.description == "priority must be an integer from 1 to 9 (field: priority)")
        #expect(TaskServiceError.invalid("nothing to update", field: nil).description == "nothing to update")
        #expect(InputError("payload must be an object", field: "payload").description == "payload must be an object (field: payload)")
        let missing = TaskServiceError.store(.notFound("no task with id x"))
        #expect(missing.message == "no task with id x" && missing.field == nil && missing.description == "no task with id x")
    }

    @Test func checksAndStoreWorkAreWrappedInTheirOwnCase() async {
        #expect(throws: TaskServiceError.invalid(InputError("bad", field: "f"))) {
            try TaskServiceError.checking { () throws(InputError) in throw InputError("bad", field: "f") }
        }
        await #expect(throws: TaskServiceError.store(.conflict("busy"))) {
            try await TaskServiceError.storing { () throws(StoreError) in throw StoreError.conflict("busy") }
        }
    }

    @Test func thePureChecksThrowInputErrorsNamingTheField() {
        #expect(throws: InputError("payload must be an object with a \"pipeline\" array", field: "payload")) {
            _ = try Pipeline(payload: .null)
        }
        #expect(throws: InputError("schedule_expr is required for a cron task", field: "schedule_expr")) {
            _ = try Schedule(kind: .cron, expression: nil, timezone: "UTC", dtstart: 0)
        }
        #expect(throws: InputError("after must be an ISO-8601 time", field: "after")) {
            _ = try ScheduleForecast.preview(["schedule_kind": "cron", "schedule_expr": "0 9 * * *", "after": 3], now: 0)
        }
    }

    @Test func mcpTaskMethodsAnswerEachErrorWithItsCode() {
        #expect(MCPTaskService.rpc(TaskServiceError.invalid("bad", field: "f")) == .invalidParams("bad"))
        #expect(MCPTaskService.rpc(TaskServiceError.store(.notFound("none"))) == .invalidParams("none"))
        #expect(MCPTaskService.rpc(TaskServiceError.store(.conflict("answered"))) == .invalidRequest("answered"))
        #expect(MCPTaskService.rpc(TaskServiceError.store(.unavailable("down"))) == .internalError("down"))
    }

    /// An edit refused by the checks inside the row lock comes back as invalid input, and the task,
    /// its next run and its audit log stay as they were.
    @Test func anInvalidEditIsInvalidInputAndChangesNothing() async throws {
        let rig = try await SchedulerRig()
        let task = try await rig.create(["payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 2]]]]])
        await #expect(throws: TaskServiceError.invalid("payload.pipeline[0].uses: no tool named \"nope\"", field: "payload.pipeline[0].uses")) {
            _ = try await rig.service.update(id: task.id, patch: ["payload": ["pipeline": [["uses": "nope"]]]], principal: Self.principal)
        }
        await #expect(throws: TaskServiceError.store(.notFound("no task with id missing"))) {
            _ = try await rig.service.update(id: "missing", patch: ["title": "x"], principal: Self.principal)
        }
        _ = try await rig.service.cancel(id: task.id, actor: "tests")
        await #expect(throws: TaskServiceError.store(.conflict("task \(task.id) is canceled"))) {
            _ = try await rig.service.update(id: task.id, patch: ["title": "x"], principal: Self.principal)
        }
        #expect(try await rig.service.task(id: task.id).payload == task.payload)
        #expect(try await rig.store.audit.entries(taskId: task.id).map(\.action) == ["task.create", "task.cancel"])
        await rig.store.database.close()
    }

    /// The tools say what the service says: the message, then the field at fault.
    @Test func toolsReportTheMessageAndTheField() async throws {
        let rig = try await SchedulerRig()
        let caller = ToolCaller(server: rig.server, clientName: "tests")
        let created = await caller.call("task_create", arguments: [
            "title": "t", "schedule_kind": "once", "schedule_expr": "2020-01-01T00:00:00Z", "payload": ["pipeline": [["uses": "nope"]]],
        ], as: Self.principal)
        #expect(Self.errorText(created) == "payload.pipeline[0].uses: no tool named \"nope\" (field: payload.pipeline[0].uses)")
        let paused = await caller.call("task_pause", arguments: ["id": "missing"], as: Self.principal)
        #expect(Self.errorText(paused) == "no task with id missing")
        await rig.store.database.close()
    }

    static func errorText(_ outcome: ToolOutcome) -> String? {
        guard case .toolError(let result) = outcome else { return nil }
        return result.json["content"]?.arrayValue?.first?["text"]?.stringValue
    }
}
