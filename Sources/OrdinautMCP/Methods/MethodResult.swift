import OrdinautCore

/// What a method answers: a JSON object, or the result of a tool call, which goes out without its
/// JSON being built first (`tools/call` is the path every client and every scheduled step takes).
enum MethodResult: Sendable, ExpressibleByDictionaryLiteral {
    case object(JSONObject)
    case tool(ToolResult)

    init(dictionaryLiteral members: (String, JSONValue)...) {
        self = .object(JSONObject(members))
    }

    /// Whether the answer is a tool's failure (`isError`), which a span records as an error.
    var isToolError: Bool {
        switch self {
        case .object(let object): return object["isError"] == true
        case .tool(let result): return result.isError
        }
    }
}
