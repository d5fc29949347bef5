import OrdinautCore

/// How a tool call ended, typed, with no JSON-RPC in between. `CallToolMethod` encodes it for MCP
/// clients; in-process callers (scheduled runs, the command line, tests) read it directly.
public enum ToolOutcome: Sendable {
    /// The tool ran and returned a result without `isError`.
    case result(ToolResult)
    /// The tool ran and failed: its `isError` result, a thrown `ToolError`, a handler that threw, or
    /// structured output that breaks the tool's `outputSchema`. Worth retrying; the tool may succeed.
    case toolError(ToolResult)
    /// The arguments do not fit the tool's input schema; the message names the tool and where.
    /// Retrying cannot help.
    case invalidArguments(String)
    /// No tool answers to this name, in either spelling.
    case unknownTool(String)
    /// The call was refused before the tool ran (a missing scope, a rate limit, a task the tool cannot
    /// run as), or the request was malformed.
    case protocolError(RPCError)
    /// The tool needs input from the client (the stateless era's `input_required`).
    case inputRequired([String: InputRequest])
    /// The tool answered with a task (only for requests that accepted tasks).
    case task(MCPTask)
    /// The call was cancelled before it finished.
    case cancelled

    /// The metrics label of this outcome.
    var label: ToolCallOutcome {
        switch self {
        case .result, .task: .success
        case .toolError, .invalidArguments: .error
        case .inputRequired: .inputRequired
        case .unknownTool, .protocolError, .cancelled: .failed
        }
    }
}

extension ToolOutcome: CustomStringConvertible {
    /// The result a client receives when the call produced one: the tool's (structured content
    /// repeated as text when it has no other content), or an `isError` result naming the arguments'
    /// problem. `nil` when the call ended without a result.
    public var result: ToolResult? {
        switch self {
        case .result(let result), .toolError(let result): result.forClients
        case .invalidArguments(let message): .error(message)
        case .unknownTool, .protocolError, .inputRequired, .task, .cancelled: nil
        }
    }

    public var description: String {
        switch self {
        case .result: "a result"
        case .toolError(let result): "a tool error: \(result.content.compactMap(\.plainText).joined(separator: "\n"))"
        case .invalidArguments(let message): message
        case .unknownTool(let name): "Unknown tool: \(name)"
        case .protocolError(let error): error.message
        case .inputRequired(let requests):
            "the tool needs input from a client (\(requests.values.map(\.method).sorted().joined(separator: ", "))), which this caller cannot give"
        case .task: "the tool answered with a task, which this caller does not accept"
        case .cancelled: "the call was cancelled"
        }
    }
}
