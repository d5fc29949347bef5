import OrdinautAuth
import OrdinautCore
import OrdinautJSONSchema

/// `tools/list`, sorted by wire name and paginated.
struct ListToolsMethod: MethodHandler {
    static let name = "tools/list"
    static let isCacheable = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> JSONObject {
        let tools = context.server.tools.all()
        let visible = context.principal.scopes == .all ? tools : tools.filter { context.principal.holds($0.scope) }
        let page = try Pagination.page(visible, params: params, size: context.server.configuration.pageSize)
        return Pagination.result("tools", page.items.map { $0.descriptor(version: context.era.version) }, next: page.next)
    }
}

/// `tools/call`: validates the arguments, runs the handler, validates structured output.
///
/// Protocol problems (unknown tool, malformed params) are JSON-RPC errors; everything the model can
/// correct (invalid arguments, tool failures) is a result with `isError: true`.
struct CallToolMethod: MethodHandler {
    static let name = "tools/call"
    static let targetParameter: String? = "name"
    static let mayTalkBack = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> JSONObject {
        guard let name = params["name"]?.stringValue else { throw RPCError.invalidParams("tools/call needs a string \"name\"") }
        guard let entry = context.server.tools.lookup(name) else { throw RPCError.invalidParams("Unknown tool: \(name)") }
        if let limited = context.server.takeToolCall(entry, principal: context.principal) { throw limited }
        guard let observer = context.server.configuration.observer else { return try await call(entry, params, context) }
        let began = ContinuousClock.now
        do throws(RPCError) {
            let result = try await call(entry, params, context)
            let outcome: ToolCallOutcome = result["resultType"] == "input_required" ? .inputRequired : result["isError"] == true ? .error : .success
            observer.toolCallFinished(tool: entry.tool.name, outcome: outcome, duration: ContinuousClock.now - began)
            return result
        } catch {
            observer.toolCallFinished(tool: entry.tool.name, outcome: .failed, duration: ContinuousClock.now - began)
            throw error
        }
    }

    private func call(_ entry: RegisteredTool, _ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> JSONObject {
        let arguments: JSONObject
        switch params["arguments"] {
        case nil, .null?: arguments = [:]
        case .object(let object)?: arguments = object
        case let other?: throw RPCError.invalidParams("tools/call \"arguments\" must be an object, not \(other.typeName)")
        }
        try InputRound.verify(params, method: Self.name, target: entry.tool.name, arguments: .object(arguments), context: context)
        if context.taskRequest != nil {
            let support = entry.tool.execution?["taskSupport"]?.stringValue
            guard support == "optional" || support == "required", context.server.taskBackend.backend != nil else {
                throw RPCError(code: -32601, message: "tool \(entry.wireName) cannot run as a task")
            }
        }

        let validation = entry.input.validate(.object(arguments))
        guard validation.isValid else {
            return ToolResult.error("Invalid arguments for tool \(entry.wireName): \(validation.summary)").json
        }
        let result: ToolResult
        do {
            result = try await entry.tool.handler(arguments, context)
        } catch let error as ToolError {
            return ToolResult.error(error.message).json
        } catch let error as RPCError {
            throw error
        } catch let created as TaskCreated {
            guard context.acceptsTasks else {
                return ToolResult.error("Tool \(entry.wireName) answered with a task, which this request did not accept").json
            }
            if context.era.isStateless {
                var result = created.task.fields
                result["resultType"] = "task"
                return result
            }
            return ["task": .object(created.task.legacy)]
        } catch let signal as InputRequiredSignal {
            return InputRound.result(for: signal, method: Self.name, target: entry.tool.name, arguments: .object(arguments), context: context)
        } catch is CancellationError {
            throw RPCError.internalError("the tool call was cancelled")
        } catch {
            return ToolResult.error("Tool \(entry.wireName) failed: \(error)").json
        }
        if let output = entry.output, !result.isError {
            guard let structured = result.structuredContent else {
                return ToolResult.error("Tool \(entry.wireName) declares an outputSchema but returned no structuredContent").json
            }
            let check = output.validate(structured)
            guard check.isValid else {
                return ToolResult.error("Tool \(entry.wireName) returned structuredContent that does not match its outputSchema: \(check.summary)").json
            }
        }
        var final = result
        if final.content.isEmpty, let structured = final.structuredContent {
            final.content = [.text(structured.encodedString())]
        }
        return final.json
    }
}

/// The stateless era's multi-round-trip requests: building `input_required` results and checking retries.
enum InputRound {
    static func result(for signal: InputRequiredSignal, method: String, target: String, arguments: JSONValue,
                       context: RequestContext) -> JSONObject {
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
