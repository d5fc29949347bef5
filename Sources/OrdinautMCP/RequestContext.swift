import OrdinautAuth
import OrdinautCore

/// Everything a handler may know or do about the request it serves: who asked, in which protocol
/// era, and how to report progress, log, or ask the client for input.
///
/// A class: a request's context passes through half a dozen calls, and copying a struct of this
/// many references retained and released each of them at every step.
public final class RequestContext: Sendable {
    /// The JSON-RPC id of the request.
    public let id: RequestID
    /// Who is asking, as the transport authenticated them: the audit actor and the scopes.
    public let principal: Principal
    /// The method being served.
    public let method: String
    /// The protocol era and revision of this request.
    public let era: ProtocolEra
    /// The capabilities the client declared (at `initialize`, or on this request).
    public let clientCapabilities: JSONObject
    /// The client's self-description, if it gave one.
    public let clientInfo: JSONValue?
    /// The request's `_meta` (progress token, run ids and other correlation data).
    public let meta: JSONObject
    /// Input the client supplied on a retry of an `input_required` result (stateless era).
    let inputResponses: JSONObject?
    /// `params.task` of a 2025-11-25 task-augmented request.
    let taskRequest: JSONObject?
    let logThreshold: LogLevel?
    let stream: any MessageSink
    let connection: MCPConnection

    init(id: RequestID, principal: Principal, method: String, era: ProtocolEra, clientCapabilities: JSONObject,
         clientInfo: JSONValue?, meta: JSONObject, inputResponses: JSONObject?, taskRequest: JSONObject?,
         logThreshold: LogLevel?, stream: any MessageSink, connection: MCPConnection) {
        self.id = id
        self.principal = principal
        self.method = method
        self.era = era
        self.clientCapabilities = clientCapabilities
        self.clientInfo = clientInfo
        self.meta = meta
        self.inputResponses = inputResponses
        self.taskRequest = taskRequest
        self.logThreshold = logThreshold
        self.stream = stream
        self.connection = connection
    }

    /// The server that is serving this request.
    public var server: MCPServer { connection.server }

    /// Sends a `notifications/progress` for this request, if the caller asked for progress.
    public func progress(_ progress: Double, total: Double? = nil, message: String? = nil) async {
        guard let token = meta["progressToken"] else { return }
        var params: JSONObject = ["progressToken": token, "progress": .number(progress)]
        if let total { params["total"] = .number(total) }
        if let message, era.version >= "2025-03-26" { params["message"] = .string(message) }
        await stream.send(JSONRPCNotification(method: "notifications/progress", params: params).json)
    }

    /// Whether a message at `level` would be delivered.
    public func wantsLog(_ level: LogLevel) -> Bool {
        guard let threshold = logThreshold else { return false }
        return level >= threshold
    }

    /// Sends a `notifications/message` for this request if the client asked for logs at `level`.
    public func log(_ level: LogLevel, _ data: JSONValue, logger: String? = nil) async {
        guard wantsLog(level) else { return }
        var params: JSONObject = ["level": .string(level.rawValue), "data": data]
        if let logger { params["logger"] = .string(logger) }
        await stream.send(JSONRPCNotification(method: "notifications/message", params: params).json)
    }

    /// Asks the client for input: an elicitation, a sampling, or its roots.
    ///
    /// In a session this sends server-to-client requests and waits for the answers. In the stateless
    /// era the first call ends the request with an `input_required` result; the client retries with
    /// the answers, the handler runs again, and this call then returns them.
    public func requestInput(_ requests: [String: InputRequest]) async throws -> [String: JSONValue] {
        try checkCapabilities(requests.values.map(\.method))
        switch era {
        case .stateless:
            var answers: [String: JSONValue] = [:]
            var missing: [String: InputRequest] = [:]
            for (key, request) in requests {
                if let answer = inputResponses?[key] { answers[key] = answer } else { missing[key] = request }
            }
            if missing.isEmpty { return answers }
            throw InputRequiredSignal(requests: missing)
        case .session:
            guard !stream.discardsMessages else {
                throw RPCError.invalidRequest("this request is answered as plain JSON, which cannot carry a request to the client; accept text/event-stream")
            }
            var answers: [String: JSONValue] = [:]
            for (key, request) in requests.sorted(by: { $0.key < $1.key }) {
                answers[key] = try await connection.sendRequest(method: request.method, params: request.params, via: stream)
            }
            return answers
        }
    }

    /// Asks for one input; see `requestInput(_:)`.
    public func requestInput(key: String, _ request: InputRequest) async throws -> JSONValue {
        try await requestInput([key: request])[key] ?? .null
    }

    private func checkCapabilities(_ methods: [String]) throws(RPCError) {
        for method in methods {
            let capability: String
            switch method {
            case "elicitation/create": capability = "elicitation"
            case "sampling/createMessage": capability = "sampling"
            case "roots/list": capability = "roots"
            default: throw RPCError.internalError("cannot ask the client for \(method)")
            }
            guard clientCapabilities[capability] != nil else {
                if era.isStateless {
                    throw RPCError.missingClientCapability([capability: [:]], detail: "this request needs the client capability \"\(capability)\" (\(method))")
                }
                throw RPCError.invalidRequest("the client did not declare the \"\(capability)\" capability that \(method) needs")
            }
        }
    }
}

/// A request the server needs the client to answer before it can finish.
public struct InputRequest: Sendable {
    public let method: String
    public let params: JSONObject

    public init(method: String, params: JSONObject) {
        self.method = method
        self.params = params
    }

    /// An elicitation in form mode.
    public static func elicitation(message: String, requestedSchema: JSONValue) -> InputRequest {
        InputRequest(method: "elicitation/create", params: ["message": .string(message), "requestedSchema": requestedSchema])
    }

    /// A sampling request.
    public static func sampling(_ params: JSONObject) -> InputRequest {
        InputRequest(method: "sampling/createMessage", params: params)
    }

    var json: JSONValue { ["method": .string(method), "params": .object(params)] }
}

/// Ends a stateless request with an `input_required` result.
struct InputRequiredSignal: Error {
    let requests: [String: InputRequest]
}
