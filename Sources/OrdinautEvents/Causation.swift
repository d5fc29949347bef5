import OrdinautCore

/// Where an event published by a run came from: how many event-started runs deep it is, the run
/// that published it and the tasks along the chain (most recent last). Event tasks use it to stop
/// a task that triggers itself, or a ring of tasks that trigger one another, at a fixed depth.
public struct Causation: Sendable, Equatable {
    /// 1 for an event published by a run that no event started; one more per event-started run.
    public let depth: Int
    public let runId: String?
    public let taskIds: [String]

    /// The `_meta` key under which a run passes its causation to the tools it calls.
    public static let metaKey = "io.ordinaut/causation"

    /// Task ids kept along a chain; deeper chains keep the most recent.
    public static let keptTasks = 16

    public init(depth: Int, runId: String?, taskIds: [String]) {
        self.depth = max(0, depth)
        self.runId = runId
        self.taskIds = Array(taskIds.suffix(Self.keptTasks))
    }

    /// The causation of events published by run `runId` of task `taskId`, which `trigger` started
    /// (`nil` when no event did).
    public init(runId: String, taskId: String, trigger: Causation?) {
        self.init(depth: (trigger?.depth ?? 0) + 1, runId: runId, taskIds: (trigger?.taskIds ?? []) + [taskId])
    }

    /// Reads the shape `json` writes; `nil` for anything else.
    public init?(json: JSONValue?) {
        guard let object = json?.objectValue, let depth = object["depth"]?.integerValue, depth >= 0, depth < 1_000_000 else { return nil }
        let tasks = (object["task_ids"]?.arrayValue ?? []).compactMap(\.stringValue)
        self.init(depth: Int(depth), runId: object["run_id"]?.stringValue, taskIds: tasks)
    }

    public var json: JSONValue {
        var object: JSONObject = ["depth": .integer(Int64(depth)), "task_ids": .array(taskIds.map(JSONValue.string))]
        if let runId { object["run_id"] = .string(runId) }
        return .object(object)
    }
}
