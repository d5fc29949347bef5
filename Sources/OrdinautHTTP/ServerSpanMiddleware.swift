import HTTPTypes
import Hummingbird
import OrdinautHTTPCommon
import OrdinautTracing
import Tracing

/// The server span of each HTTP request, parented by its `traceparent` header; installed only while
/// tracing is on.
///
/// Hummingbird's own `TracingMiddleware` fills a dozen attributes on every span and wraps every
/// response body, recorded or not; at 1 % sampling that cost W2 a third of its throughput. Here a
/// request the sampler declined pays for its span's context alone (so that the decision travels on
/// to what it calls) and attributes are made only for a span that records.
public struct ServerSpanMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
    /// Query parameters whose values never reach a span (the OAuth callback's `code` and `state`).
    let redactedQueryParameters: Set<Substring>
    /// The process's tracer, kept rather than looked up under `InstrumentationSystem`'s lock per request.
    let tracer: OTLPTracer

    public init(tracer: OTLPTracer, redactingQueryParameters: Set<String> = []) {
        self.tracer = tracer
        redactedQueryParameters = Set(redactingQueryParameters.map { $0[...] })
    }

    public func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let parent = Spans.remote(traceparent: request.headers.value(.traceparent), tracestate: request.headers.value(.tracestate))
        let span: RecordingSpan
        switch tracer.start("HTTP \(request.method.rawValue)", under: parent ?? .current ?? .topLevel, ofKind: .server) {
        case .declined(let declined):
            return try await InstrumentationContext.$current.withValue(declined) { try await next(request, context) }
        case .recording(let recording):
            span = recording
        }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.uri.path
            if let query = request.uri.query, !query.isEmpty { attributes["url.query"] = redacted(query: request) }
            attributes["user_agent.original"] = request.headers.value(.userAgent)
            attributes["http.request.body.size"] = request.headers.value(.contentLength).flatMap { Int($0) }
        }
        do {
            var response = try await InstrumentationContext.$current.withValue(span.context) { try await next(request, context) }
            finish(span, status: Int(response.status.code), route: context.endpointPath, method: request.method)
            span.attributes["http.response.body.size"] = response.body.contentLength
            // The span ends once the body is written: a stream's span lasts as long as the stream.
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { span.end() }
                try await body.write(writer)
            }
            return response
        } catch {
            finish(span, status: Int((error as? any HTTPResponseError)?.status.code ?? 500), route: context.endpointPath, method: request.method)
            span.end()
            throw error
        }
    }

    private func finish(_ span: any Span, status: Int, route: String?, method: HTTPRequest.Method) {
        if let route { span.operationName = "\(method.rawValue) \(route)" }
        span.updateAttributes { attributes in
            attributes["http.route"] = route
            attributes["http.response.status_code"] = status
        }
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }

    private func redacted(query request: Request) -> String {
        guard !redactedQueryParameters.isEmpty else { return request.uri.query ?? "" }
        return request.uri.queryParameters
            .map { key, value in redactedQueryParameters.contains(key) ? "\(key)=REDACTED" : "\(key)=\(value)" }
            .joined(separator: "&")
    }
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
}
