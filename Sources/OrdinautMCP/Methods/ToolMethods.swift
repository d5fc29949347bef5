import OrdinautAuth
import OrdinautCore
import OrdinautJSONSchema

/// `tools/list`, sorted by wire name and paginated.
struct ListToolsMethod: MethodHandler {
    static let name = "tools/list"
    static let isCacheable = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let tools = context.server.tools.all()
        let visible = context.principal.scopes == .all ? tools : tools.filter { context.principal.holds($0.scope) }
        let page = try Pagination.page(visible, params: params, size: context.server.configuration.pageSize)
        return Pagination.result("tools", page.items.map { $0.descriptor(version: context.era.version) }, next: page.next)
    }
}

/// `tools/call`: the JSON-RPC codec around `MCPServer.call`, the path `ToolCaller` takes too.
///
/// Protocol problems (unknown tool, malformed params, a missing scope) are JSON-RPC errors;
/// everything the model can correct (invalid arguments, tool failures) is a result with `isError: true`.
struct CallToolMethod: MethodHandler {
    static let name = "tools/call"
    static let targetParameter: String? = "name"
    static let mayTalkBack = true
    static let checksOwnScope = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let name = params["name"]?.stringValue else { throw RPCError.invalidParams("tools/call needs a string \"name\"") }
        guard let entry = context.server.tools.lookup(name) else { throw RPCError.invalidParams("Unknown tool: \(name)") }
        let arguments: JSONObject
        switch params["arguments"] {
        case nil, .null?: arguments = [:]
        case .object(let object)?: arguments = object
        case let other?: throw RPCError.invalidParams("tools/call \"arguments\" must be an object, not \(other.typeName)")
        }
        try InputRound.verify(params, method: Self.name, target: entry.tool.name, arguments: .object(arguments), context: context)
        switch await context.server.call(entry, arguments: arguments, context: context) {
        case .result(let result), .toolError(let result):
            return .tool(result.forClients)
        case .invalidArguments(let message):
            return .tool(.error(message))
        case .unknownTool(let name):
            throw RPCError.invalidParams("Unknown tool: \(name)")
        case .protocolError(let error):
            throw error
        case .inputRequired(let requests):
            return InputRound.result(for: InputRequiredSignal(requests: requests), method: Self.name, target: entry.tool.name,
                                     arguments: .object(arguments), context: context)
        case .task(let task):
            guard context.era.isStateless else { return ["task": .object(task.legacy)] }
            var result = task.fields
            result["resultType"] = "task"
            return .object(result)
        case .cancelled:
            throw RPCError.internalError("the tool call was cancelled")
        }
    }
}

/// The stateless era's multi-round-trip requests: building `input_required` results and checking retries.
enum InputRound {
    static func result(for signal: InputRequiredSignal, method: String, target: String, arguments: JSONValue,
                       context: RequestContext) -> MethodResult {
        let keys = Array(signal.requests.keys).sorted()
        var requests: JSONObject = [:]
        for key in keys { requests[key] = signal.requests[key]!.json }
        let state = context.server.requestState.seal(method: method, target: target, arguments: arguments, keys: keys)
        return ["resultType": "input_required", "inputRequests": .object(requests), "requestState": .string(state)]
    }

    /// A retry must bring back an authentic `requestState` for the same request.
    static func verify(_ params: JSONObject, method: String, target: String, arguments: JSONValue,
                       context: RequestContext) throws(RPCError) {
        guard context.era.isStateless else { return }
        if let responses = params["inputResponses"], responses.objectValue == nil {
            throw RPCError.invalidParams("inputResponses must be an object")
        }
        guard let state = params["requestState"] else {
            if params["inputResponses"] != nil {
                throw RPCError.invalidParams("inputResponses were sent without the requestState they answer")
            }
            return
        }
        guard let token = state.stringValue else { throw RPCError.invalidParams("requestState must be a string") }
        _ = try context.server.requestState.open(token, method: method, target: target, arguments: arguments).get()
    }
}
