import OrdinautAuth
import OrdinautCore

extension MCPServer {
    /// The scope `principal` lacks for `method` with `params`, or `nil` when it may proceed. The
    /// engine asks this before every handler runs; the HTTP transport asks it first, to answer a
    /// refusal with 403 and a step-up challenge. Lists need no scope: they show only what the
    /// principal may use.
    public func missingScope(method: String, params: JSONObject, principal: Principal) -> (scope: String, operation: String)? {
        let needed: String?
        let operation: String
        switch method {
        case "tools/call":
            guard let name = params["name"]?.stringValue, let entry = tools.lookup(name) else { return nil }
            needed = entry.scope
            operation = "tool \(entry.wireName)"
        case "resources/read", "resources/subscribe":
            guard let uri = params["uri"]?.stringValue else { return nil }
            needed = resources.scope(for: uri)
            operation = "resource \(uri)"
        case "prompts/get":
            guard let name = params["name"]?.stringValue, let prompt = prompts.lookup(name) else { return nil }
            needed = AccessPolicy.mcpScope(declared: prompt.scope)
            operation = "prompt \(name)"
        case "tasks/get", "tasks/result", "tasks/list":
            needed = Scope.tasksRead
            operation = method
        case "tasks/cancel":
            needed = Scope.runsWrite
            operation = method
        case "tasks/update":
            needed = Scope.runsApprove
            operation = method
        default:
            return nil
        }
        guard let needed, !principal.holds(needed) else { return nil }
        return (needed, operation)
    }

    /// Takes a tool-call token for `principal`; the error to answer with when it has none left.
    func takeToolCall(_ entry: RegisteredTool, principal: Principal) -> RPCError? {
        guard principal.method != .task,
              let (bucket, limit) = configuration.rateLimits.toolLimit(tool: entry.tool.name, wireName: entry.wireName, scope: entry.scope)
        else { return nil }
        guard case .limited(let retryAfter) = rateLimiter.take(principal.subject + " " + bucket, limit: limit) else { return nil }
        configuration.observer?.rateLimited(surface: "tools")
        return .rateLimited("tool calls", retryAfterSeconds: retryAfter)
    }
}
