import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import OrdinautStore

/// The MCP tools that manage agents and their tokens. Each is an administrator's tool: a principal
/// needs `requiredScope` to call it.
public enum AgentTools {
    /// The scope every agent tool requires.
    public static let requiredScope = Scope.admin
    /// The tools `register` adds, each needing `requiredScope`.
    public static let toolNames = ["agent_create", "agent_list", "agent_disable", "token_create", "token_list", "token_revoke"]

    static let agentSchema: JSONValue = [
        "type": "object", "required": ["id", "name", "scopes", "disabled", "created_at", "created_by"],
        "properties": [
            "id": ["type": "string"], "name": ["type": "string"], "scopes": ["type": "array", "items": ["type": "string"]],
            "disabled": ["type": "boolean"], "created_at": ["type": "string"], "created_by": ["type": "string"],
        ],
    ]
    static let tokenSchema: JSONValue = [
        "type": "object", "required": ["id", "agent_id", "prefix", "status", "created_at"],
        "properties": [
            "id": ["type": "string"], "agent_id": ["type": "string"], "prefix": ["type": "string"], "label": ["type": ["string", "null"]],
            "status": ["type": "string", "enum": ["active", "expired", "revoked"]], "created_at": ["type": "string"],
            "expires_at": ["type": ["string", "null"]], "last_used_at": ["type": ["string", "null"]], "revoked_at": ["type": ["string", "null"]],
        ],
    ]
    static let agentReference: JSONValue = ["type": "string", "minLength": 1, "maxLength": 100, "description": "The agent's id or name."]

    /// Registers the tools on `server`. `actor` names the caller in the audit log; it must come from
    /// the request's authenticated principal, never from anything the client asserts.
    public static func register(on server: MCPServer, service: AgentService,
                                actor: @escaping @Sendable (RequestContext) -> String) throws(RegistrationError) {
        let clock = service.store.clock
        func tool(_ name: String, _ description: String, _ properties: JSONObject, required: [String] = [], output: JSONValue,
                  readOnly: Bool = false, destructive: Bool = false,
                  _ body: @escaping @Sendable (JSONObject, String) async throws(AgentError) -> JSONValue) throws(RegistrationError) {
            try server.tools.register(Tool(
                name: name, description: description,
                inputSchema: ["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string)), "additionalProperties": false],
                outputSchema: output,
                annotations: ["readOnlyHint": .bool(readOnly), "destructiveHint": .bool(destructive), "openWorldHint": false],
                scope: requiredScope
            ) { arguments, context in
                do throws(AgentError) {
                    return .structured(try await body(arguments, actor(context)))
                } catch {
                    throw ToolError(error.description)
                }
            })
        }
        let items: (JSONValue) -> JSONValue = { item in
            ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": item]]]
        }

        try tool("agent_create", "Create an agent: a name and the scopes its tokens carry. Give it a token with token_create.", [
            "name": ["type": "string", "minLength": 1, "maxLength": .integer(Int64(AgentInput.maxNameLength)),
                     "description": "Unique; letters, digits, _ . - only."],
            "scopes": ["type": "array", "minItems": 1, "maxItems": .integer(Int64(AgentInput.maxScopes)),
                       "items": ["type": "string", "minLength": 1, "maxLength": .integer(Int64(AgentInput.maxScopeLength))],
                       "description": "Scopes such as tasks:read (printable ASCII without spaces, quotes or backslashes); admin holds every scope."],
        ], required: ["name", "scopes"], output: agentSchema) { arguments, actor throws(AgentError) in
            let scopes = arguments["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return try await service.createAgent(name: arguments["name"]?.stringValue ?? "", scopes: scopes, actor: actor).json
        }
        try tool("agent_list", "List every agent by name, with its scopes and whether it is disabled.", [:], output: items(agentSchema),
                 readOnly: true) { _, _ throws(AgentError) in
            ["items": .array(try await service.agents().map(\.json))]
        }
        try tool("agent_disable", "Disable an agent, so that all of its tokens are refused within seconds; disabled: false enables it again.", [
            "agent": agentReference, "disabled": ["type": "boolean", "description": "false enables the agent again (default true)."],
        ], required: ["agent"], output: agentSchema, destructive: true) { arguments, actor throws(AgentError) in
            try await service.setDisabled(arguments["agent"]?.stringValue ?? "", arguments["disabled"]?.boolValue ?? true, actor: actor).json
        }
        try tool("token_create", "Create a bearer token for an agent. The token is in the result once and never again: only its hash is stored.", [
            "agent": agentReference, "label": ["type": "string", "maxLength": .integer(Int64(AgentInput.maxLabelLength))],
            "expires_in_seconds": ["type": "integer", "minimum": 1, "maximum": .integer(AgentService.maxLifetimeSeconds),
                                   "description": "Lifetime; without it the token lives until revoked."],
        ], required: ["agent"], output: [
            "type": "object", "required": ["token", "warning", "record"],
            "properties": ["token": ["type": "string"], "warning": ["type": "string"], "agent": ["type": "string"], "record": tokenSchema],
        ]) { arguments, actor throws(AgentError) in
            let issued = try await service.createToken(agent: arguments["agent"]?.stringValue ?? "", label: arguments["label"]?.stringValue,
                                                       lifetimeSeconds: arguments["expires_in_seconds"]?.integerValue, actor: actor)
            return issued.json(at: clock())
        }
        try tool("token_list", "List an agent's tokens (prefix, label, status, times); never the tokens themselves.", ["agent": agentReference],
                 required: ["agent"], output: items(tokenSchema), readOnly: true) { arguments, _ throws(AgentError) in
            let now = clock()
            return ["items": .array(try await service.tokens(agent: arguments["agent"]?.stringValue ?? "").map { $0.json(at: now) })]
        }
        try tool("token_revoke", "Revoke a token for good: it is refused everywhere within seconds.",
                 ["id": ["type": "string", "minLength": 1, "maxLength": 100, "description": "The token's id (from token_list)."]],
                 required: ["id"], output: tokenSchema, destructive: true) { arguments, actor throws(AgentError) in
            try await service.revokeToken(arguments["id"]?.stringValue ?? "", actor: actor).json(at: clock())
        }
    }
}
