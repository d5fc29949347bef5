import OrdinautCore
import OrdinautMCP

/// What a pipeline step makes of a tool call: the value later steps see, or a failure that is
/// retried unless it is permanent (retrying cannot change the arguments, the tool's absence or a
/// refused scope).
enum StepOutcome: Sendable {
    /// The tool's result: `structuredContent`, else its one text parsed as JSON when it is JSON,
    /// else the text, else all its content blocks.
    case success(JSONValue)
    case failure(String, permanent: Bool)

    init(_ outcome: ToolOutcome, tool name: String) {
        switch outcome {
        case .result(let result):
            self = .success(Self.value(of: result))
        case .toolError(let result):
            let text = result.content.compactMap(\.plainText).joined(separator: "\n")
            self = .failure("\(name) failed: \(text.isEmpty ? "no message" : String(text.prefix(2000)))", permanent: false)
        case .invalidArguments(let message):
            self = .failure(message, permanent: true)
        case .unknownTool:
            self = .failure("no tool named \"\(name)\"", permanent: true)
        case .protocolError(let error):
            self = .failure("\(name): \(error.message)", permanent: error.code == RPCError.insufficientScopeCode || error.code == RPCError.invalidParamsCode)
        case .inputRequired:
            self = .failure("\(name) asked for input, which a scheduled run cannot give", permanent: true)
        case .task:
            self = .failure("\(name) answered with a task, which a scheduled run does not accept", permanent: true)
        case .cancelled:
            self = .failure("the call of \(name) was cancelled", permanent: false)
        }
    }

    static func value(of result: ToolResult) -> JSONValue {
        if let structured = result.structuredContent { return structured }
        let texts = result.content.compactMap(\.plainText)
        guard texts.count == 1 else { return .array(result.content.map(\.json)) }
        if let parsed = try? JSONParser().parse(texts[0]), parsed.objectValue != nil || parsed.arrayValue != nil { return parsed }
        return .string(texts[0])
    }
}
