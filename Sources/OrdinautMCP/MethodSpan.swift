import OrdinautCore
import OrdinautTracing
import Tracing

/// The server span of one MCP request, named and attributed as OpenTelemetry's MCP semantic
/// conventions say (`{mcp.method.name} {target}`, `mcp.method.name`, `jsonrpc.request.id`, …). Its
/// parent is the request's `params._meta.traceparent` when valid, else the current context (the
/// HTTP request's span, or the pipeline step that calls a tool).
enum MethodSpan {
    /// The `_meta` keys that carry W3C Trace Context (MCP's convention, unprefixed).
    static let traceparentKey = "traceparent"
    static let tracestateKey = "tracestate"

    static func run(_ handler: any MethodHandler, params: JSONObject, context: RequestContext,
                    _ body: () async -> Result<MethodResult, RPCError>) async -> Result<MethodResult, RPCError> {
        guard Spans.areOn else { return await body() }
        let method = context.method
        var target: String?
        if type(of: handler).targetParameter == "name" { target = params["name"]?.stringValue }
        let parent = Spans.remote(traceparent: context.meta[traceparentKey]?.stringValue, tracestate: context.meta[tracestateKey]?.stringValue)
        return await Spans.run(target.map { "\(method) \($0)" } ?? method, kind: .server, parent: parent) { span in
            guard let span else { return await body() }
            span.updateAttributes { attributes in
                attributes["mcp.method.name"] = method
                attributes["jsonrpc.request.id"] = context.id.description
                attributes["mcp.protocol.version"] = context.era.version
                if method == "tools/call", let target {
                    attributes["gen_ai.tool.name"] = target
                    attributes["gen_ai.operation.name"] = "execute_tool"
                }
            }
            let outcome = await body()
            switch outcome {
            case .failure(let error):
                span.attributes["error.type"] = String(error.code)
                span.attributes["rpc.response.status_code"] = String(error.code)
                span.setStatus(SpanStatus(code: .error, message: error.message))
            case .success(let result):
                if result.isToolError {
                    span.attributes["error.type"] = "tool_error"
                    span.setStatus(SpanStatus(code: .error))
                }
            }
            return outcome
        }
    }
}
