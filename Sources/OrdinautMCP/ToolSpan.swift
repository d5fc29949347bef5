import OrdinautCore
import OrdinautTracing
import Tracing

/// The `execute_tool {name}` span around a tool's handler. It is put on the handler when the tool is
/// registered, so every way into a tool — an MCP `tools/call`, a pipeline step, an in-process caller
/// — records it, and nothing is added to a tool when tracing is off.
enum ToolSpan {
    static func wrap(_ tool: Tool) -> Tool {
        guard Spans.areOn else { return tool }
        var traced = tool
        let handler = tool.handler
        let name = tool.name
        traced.handler = { arguments, context in
            let outcome: Result<ToolResult, any Error> = await Spans.run("execute_tool \(name)") { span in
                span?.updateAttributes { attributes in
                    attributes["gen_ai.operation.name"] = "execute_tool"
                    attributes["gen_ai.tool.name"] = name
                }
                do {
                    let result = try await handler(arguments, context)
                    if result.isError {
                        span?.attributes["error.type"] = "tool_error"
                        span?.setStatus(SpanStatus(code: .error))
                    }
                    return .success(result)
                } catch {
                    // A task handed back or a request for input is how the call goes on, not a failure.
                    if !(error is TaskCreated || error is InputRequiredSignal) {
                        span?.attributes["error.type"] = String(describing: type(of: error))
                        span?.setStatus(SpanStatus(code: .error, message: String(describing: error)))
                    }
                    return .failure(error)
                }
            }
            return try outcome.get()
        }
        return traced
    }
}
