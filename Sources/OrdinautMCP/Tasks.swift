import OrdinautCore
import Synchronization

/// An MCP task: a request whose result comes later. One type serves both wire forms — the
/// 2025-11-25 experimental tasks (`params.task`, `tasks/result`, `tasks/list`) and the 2026-07-28
/// extension `io.modelcontextprotocol/tasks` (`resultType: "task"`, `tasks/update`,
/// `notifications/tasks`).
public struct MCPTask: Sendable {
    public enum Status: String, Sendable {
        case working
        case inputRequired = "input_required"
        case completed, failed, cancelled

        public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    public var taskId: String
    public var status: Status
    public var statusMessage: String?
    /// ISO-8601.
    public var createdAt: String
    public var lastUpdatedAt: String
    /// How long the task is kept after creation, in milliseconds; `nil` for unlimited.
    public var ttlMs: Int64?
    public var pollIntervalMs: Int64?
    /// Outstanding requests while `input_required`, by key.
    public var inputRequests: [String: InputRequest]
    /// The result of the original request, when `completed` (tool errors included).
    public var result: JSONObject?
    /// The JSON-RPC error the original request ended with, when `failed`.
    public var error: RPCError?

    public init(taskId: String, status: Status, statusMessage: String? = nil, createdAt: String, lastUpdatedAt: String,
                ttlMs: Int64?, pollIntervalMs: Int64? = 500, inputRequests: [String: InputRequest] = [:],
                result: JSONObject? = nil, error: RPCError? = nil) {
        self.taskId = taskId
        self.status = status
        self.statusMessage = statusMessage
        self.createdAt = createdAt
        self.lastUpdatedAt = lastUpdatedAt
        self.ttlMs = ttlMs
        self.pollIntervalMs = pollIntervalMs
        self.inputRequests = inputRequests
        self.result = result
        self.error = error
    }

    /// The `Task` fields of the 2026-07-28 extension.
    var fields: JSONObject {
        var object: JSONObject = [
            "taskId": .string(taskId), "status": .string(status.rawValue), "createdAt": .string(createdAt),
            "lastUpdatedAt": .string(lastUpdatedAt), "ttlMs": ttlMs.map(JSONValue.integer) ?? .null,
        ]
        if let statusMessage { object["statusMessage"] = .string(statusMessage) }
        if let pollIntervalMs { object["pollIntervalMs"] = .integer(pollIntervalMs) }
        return object
    }

    /// `DetailedTask`: the fields plus what the status carries.
    var detailed: JSONObject {
        var object = fields
        switch status {
        case .inputRequired:
            var requests: JSONObject = [:]
            for key in inputRequests.keys.sorted() { requests[key] = inputRequests[key]!.json }
            object["inputRequests"] = .object(requests)
        case .completed: object["result"] = .object(result ?? ["content": []])
        case .failed: object["error"] = (error ?? .internalError("the task failed")).json
        case .working, .cancelled: break
        }
        return object
    }

    /// The 2025-11-25 `Task` object (`ttl` and `pollInterval` instead of `ttlMs` and `pollIntervalMs`).
    var legacy: JSONObject {
        var object: JSONObject = [
            "taskId": .string(taskId), "status": .string(status.rawValue), "createdAt": .string(createdAt),
            "lastUpdatedAt": .string(lastUpdatedAt), "ttl": ttlMs.map(JSONValue.integer) ?? .null,
        ]
        if let statusMessage { object["statusMessage"] = .string(statusMessage) }
        if let pollIntervalMs { object["pollInterval"] = .integer(pollIntervalMs) }
        return object
    }
}

/// Where tasks live: durable, so that any node answers for any task.
public protocol MCPTaskBackend: Sendable {
    /// The task `id`, or `nil` if there is none (or it belongs to another `owner`).
    func task(_ id: String, owner: String?) async throws(RPCError) -> MCPTask?
    /// Answers some of the task's input requests; unknown or answered keys are ignored.
    func update(_ id: String, inputResponses: JSONObject, owner: String?) async throws(RPCError)
    /// Cancels the task (cooperatively: work already running may still finish); returns it after.
    func cancel(_ id: String, owner: String?) async throws(RPCError) -> MCPTask?
    /// The tasks of `owner`, newest first.
    func tasks(owner: String?) async throws(RPCError) -> [MCPTask]
}

/// Thrown by a tool handler that answered with a task it created durably (check
/// `RequestContext.acceptsTasks` first): the engine answers `tools/call` with the task.
public struct TaskCreated: Error, Sendable {
    public let task: MCPTask

    public init(_ task: MCPTask) {
        self.task = task
    }
}

public enum TasksExtension {
    /// The extension's identifier in capabilities.
    public static let identifier = "io.modelcontextprotocol/tasks"
}

/// The backend, set once the scheduler exists.
final class TaskBackendSlot: Sendable {
    private let value = Mutex<(backend: (any MCPTaskBackend)?, promised: Bool)>((nil, false))

    var backend: (any MCPTaskBackend)? { value.withLock { $0.backend } }
    /// Whether tasks are served, or will be once the engine is built: what capabilities declare.
    var isPromised: Bool { value.withLock { $0.promised } }
    func set(_ backend: any MCPTaskBackend) { value.withLock { $0 = (backend, true) } }
    func promise() { value.withLock { $0.promised = true } }
}

extension RequestContext {
    /// Whether this request may be answered with a task: the client declared the tasks extension
    /// (2026-07-28) or asked for one with `params.task` (2025-11-25), and tasks are served.
    public var acceptsTasks: Bool {
        guard connection.server.taskBackend.backend != nil else { return false }
        switch era {
        case .stateless: return clientCapabilities["extensions"]?[TasksExtension.identifier] != nil
        case .session: return taskRequest != nil
        }
    }

    /// Refuses a 2026-07-28 request about tasks from a client that did not declare the tasks
    /// extension in this request's capabilities (-32021).
    func requireTasksExtension(for method: String) throws(RPCError) {
        guard era.isStateless, clientCapabilities["extensions"]?[TasksExtension.identifier] == nil else { return }
        throw RPCError.missingClientCapability(["extensions": [TasksExtension.identifier: [:]]],
                                               detail: "\(method) needs the \"\(TasksExtension.identifier)\" extension in the request's clientCapabilities")
    }

    /// Whose tasks these are: the session for session-era requests, nobody for stateless ones.
    public var taskOwner: String? {
        era.isStateless ? nil : connection.identity
    }
}
