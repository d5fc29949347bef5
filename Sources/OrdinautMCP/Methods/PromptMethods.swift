import OrdinautAuth
import OrdinautCore

/// `prompts/list`.
struct ListPromptsMethod: MethodHandler {
    static let name = "prompts/list"
    static let isCacheable = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let page = try Pagination.page(context.server.prompts.all.filter { context.principal.holds(AccessPolicy.mcpScope(declared: $0.scope)) }, params: params, size: context.server.configuration.pageSize)
        return Pagination.result("prompts", page.items.map { $0.descriptor(version: context.era.version) }, next: page.next)
    }
}

/// `prompts/get`: checks the arguments against the prompt's declaration, then renders it.
struct GetPromptMethod: MethodHandler {
    static let name = "prompts/get"
    static let targetParameter: String? = "name"
    static let mayTalkBack = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let name = params["name"]?.stringValue else { throw RPCError.invalidParams("prompts/get needs a string \"name\"") }
        guard let prompt = context.server.prompts.lookup(name) else { throw RPCError.invalidParams("Unknown prompt: \(name)") }
        var arguments: [String: String] = [:]
        if let raw = params["arguments"], !raw.isNull {
            guard let object = raw.objectValue else { throw RPCError.invalidParams("prompts/get \"arguments\" must be an object") }
            for (key, value) in object {
                guard let text = value.stringValue else { throw RPCError.invalidParams("prompt argument \"\(key)\" must be a string") }
                arguments[key] = text
            }
        }
        let missing = prompt.arguments.filter { $0.required && arguments[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            throw RPCError.invalidParams("prompt \(name) is missing required argument\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")
        }
        let argumentsJSON = JSONValue.object(JSONObject(arguments.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        try InputRound.verify(params, method: Self.name, target: name, arguments: argumentsJSON, context: context)
        do {
            let (description, messages) = try await prompt.handler(arguments, context)
            var result: JSONObject = [:]
            if let description { result["description"] = .string(description) }
            result["messages"] = .array(messages.map(\.json))
            return .object(result)
        } catch let error as RPCError {
            throw error
        } catch let signal as InputRequiredSignal {
            return InputRound.result(for: signal, method: Self.name, target: name, arguments: argumentsJSON, context: context)
        } catch {
            throw RPCError.internalError("prompt \(name) failed: \(error)")
        }
    }
}
