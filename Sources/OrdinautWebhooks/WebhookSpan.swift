import Foundation
import OrdinautMCP
import OrdinautTracing

/// The client span of a webhook call (`{method}`, `http.request.method`, `url.full` without query or
/// credentials, `http.response.status_code`), and the W3C Trace Context headers that carry it to the
/// receiver. The trace's headers replace any of the same name the manifest set.
enum WebhookSpan {
    static func run(_ call: HTTPCall, _ perform: (HTTPCall) async -> (ToolResult, status: Int?)) async -> ToolResult {
        guard Spans.areOn else { return await perform(call).0 }
        return await Spans.run(call.method, kind: .client) { span in
            var call = call
            span?.updateAttributes { attributes in
                attributes["http.request.method"] = call.method
                attributes["url.full"] = WebhookTool.redacted(call.url)
            }
            let outgoing = Spans.outgoing
            call.headers.removeAll { header in outgoing.contains { $0.name.caseInsensitiveCompare(header.name) == .orderedSame } }
            call.headers.append(contentsOf: outgoing)
            let (result, status) = await perform(call)
            if let status { span?.attributes["http.response.status_code"] = status }
            if result.isError {
                span?.attributes["error.type"] = status.map { String($0) } ?? "connection"
                span?.setStatus(SpanStatus(code: .error))
            }
            return result
        }
    }
}
