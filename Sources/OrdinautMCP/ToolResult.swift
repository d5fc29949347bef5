import OrdinautCore

/// What a tool returns: content blocks, optional structured content, and whether it failed.
public struct ToolResult: Sendable {
    public var content: [Content]
    public var structuredContent: JSONValue?
    public var isError: Bool
    public var meta: JSONObject?

    public init(content: [Content], structuredContent: JSONValue? = nil, isError: Bool = false, meta: JSONObject? = nil) {
        self.content = content
        self.structuredContent = structuredContent
        self.isError = isError
        self.meta = meta
    }

    /// A successful result with one text block.
    public static func text(_ text: String) -> ToolResult {
        ToolResult(content: [.text(text)])
    }

    /// A successful result carrying `value` as structured content and, for older clients, as text.
    public static func structured(_ value: JSONValue) -> ToolResult {
        ToolResult(content: [.text(value.encodedString())], structuredContent: value)
    }

    /// A failed result the model can read and act on.
    public static func error(_ message: String) -> ToolResult {
        ToolResult(content: [.text(message)], isError: true)
    }

    /// The result as a client receives it: structured content is repeated as text when there is
    /// no other content, for clients that read only `content`.
    public var forClients: ToolResult {
        guard content.isEmpty, let structuredContent else { return self }
        var result = self
        result.content = [.text(structuredContent.encodedString())]
        return result
    }

    public var json: JSONObject {
        var object: JSONObject = ["content": .array(content.map(\.json))]
        if let structuredContent { object["structuredContent"] = structuredContent }
        if isError { object["isError"] = true }
        if let meta { object["_meta"] = .object(meta) }
        return object
    }
}

/// Thrown by a tool handler to fail with a message meant for the model (an `isError` result).
public struct ToolError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension ToolResult {
    /// Reads a `tools/call` result another MCP server sent, or says what is wrong with it.
    public static func decode(_ json: JSONValue) -> Result<ToolResult, ToolError> {
        guard let object = json.objectValue else { return .failure(ToolError("the result is not a JSON object")) }
        guard let blocks = object["content"]?.arrayValue else { return .failure(ToolError("the result has no \"content\" array")) }
        var content: [Content] = []
        for (index, block) in blocks.enumerated() {
            guard let item = Content(json: block) else {
                return .failure(ToolError("content block \(index) is not a valid MCP content block"))
            }
            content.append(item)
        }
        return .success(ToolResult(content: content, structuredContent: object["structuredContent"],
                                   isError: object["isError"]?.boolValue ?? false, meta: object["_meta"]?.objectValue))
    }
}
