import OrdinautAuth
import OrdinautCore
import OrdinautJSONSchema

/// What a tool handler receives: its validated arguments and the request it serves.
public typealias ToolHandler = @Sendable (_ arguments: JSONObject, _ context: RequestContext) async throws -> ToolResult

/// A tool: its descriptor, as listed to clients, and its handler.
public struct Tool: Sendable {
    /// The registry name; may contain dots (`ext.billing.charge`). See `ToolName` for the wire spelling.
    public let name: String
    public var title: String?
    public var description: String?
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var annotations: JSONValue?
    public var icons: JSONValue?
    public var meta: JSONObject?
    /// `{"taskSupport": "optional"}` for a tool that may answer with a task (listed to 2025-11-25 sessions).
    public var execution: JSONValue?
    /// The scope a principal needs to see and call this tool; `nil` is the general `mcp` scope.
    /// Extension tools get `ext:<id>:tools` from the host, whatever they ask for.
    public var scope: String?
    public internal(set) var handler: ToolHandler

    public init(
        name: String, title: String? = nil, description: String? = nil,
        inputSchema: JSONValue = ["type": "object", "additionalProperties": false],
        outputSchema: JSONValue? = nil, annotations: JSONValue? = nil, icons: JSONValue? = nil,
        meta: JSONObject? = nil, execution: JSONValue? = nil, scope: String? = nil, handler: @escaping ToolHandler
    ) {
        self.execution = execution
        self.scope = scope
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
        self.icons = icons
        self.meta = meta
        self.handler = handler
    }
}

/// An argument mirrored into an HTTP header (`x-mcp-header` on a top-level input property,
/// 2026-07-28): the client sends `Mcp-Param-<header>` and the server checks it against the body.
public struct HeaderBinding: Sendable, Equatable {
    public let property: String
    public let header: String
}

/// A tool accepted by the registry: schemas compiled once, wire name computed once. A class: every
/// call looks one up and passes it on, and a copy of this many references retained each of them.
final class RegisteredTool: Sendable {
    let tool: Tool
    let wireName: String
    let input: JSONSchema
    let output: JSONSchema?
    let headerBindings: [HeaderBinding]
    /// The scope a caller needs, decided once at registration.
    let scope: String

    init(tool: Tool, wireName: String, input: JSONSchema, output: JSONSchema?) {
        self.tool = tool
        scope = AccessPolicy.mcpScope(declared: tool.scope)
        self.wireName = wireName
        self.input = input
        self.output = output
        headerBindings = (tool.inputSchema["properties"]?.objectValue ?? [:]).compactMap { property, schema in
            schema["x-mcp-header"]?.stringValue.map { HeaderBinding(property: property, header: $0) }
        }
    }

    func descriptor(version: String) -> JSONValue {
        var object: JSONObject = ["name": .string(wireName)]
        if let title = tool.title { object["title"] = .string(title) }
        if let description = tool.description { object["description"] = .string(description) }
        object["inputSchema"] = tool.inputSchema
        if let output = tool.outputSchema, version >= "2025-06-18" { object["outputSchema"] = output }
        if let annotations = tool.annotations, version >= "2025-03-26" { object["annotations"] = annotations }
        if let icons = tool.icons, version >= "2025-11-25" { object["icons"] = icons }
        if let meta = tool.meta { object["_meta"] = .object(meta) }
        if let execution = tool.execution, version == "2025-11-25" { object["execution"] = execution }
        return .object(object)
    }
}
