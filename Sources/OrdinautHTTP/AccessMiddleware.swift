import HTTPTypes
import Hummingbird
import OrdinautAuth
import OrdinautHTTPCommon
import OrdinautMCP

/// The one gate every HTTP route family goes through — MCP (`/mcp`, `/sse`, `/messages`, the
/// `mcp_http` mount), the REST API, `/ext/<id>/…` with WebSocket upgrades, metrics — in this order:
/// Host (421), Origin (403) and CORS preflights, the JSON-only rule for request bodies (415), the
/// credential (401/503), the scope the policy asks for the route (403), the principal's rate limit
/// (429) and its concurrent requests (503). The principal it settles on is put in the context;
/// nothing behind it authenticates again. Every answer gets the security headers.
public struct AccessMiddleware<Context: Hummingbird.RequestContext & PrincipalCarrying>: RouterMiddleware {
    let gate: AccessGate

    public init(gate: AccessGate) {
        self.gate = gate
    }

    public func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let principal: Principal?
        switch await gate.admit(request, clientAddress: context.clientAddress) {
        case .answer(let response):
            return gate.secured(response, request)
        case .admit(let admitted):
            principal = admitted
        }
        context.principal = principal
        guard let principal else { return gate.secured(try await Self.answer(request, context, next), request) }
        let key = principal.subject
        guard gate.concurrency.acquire(key) else {
            gate.configuration.observer?.rateLimited(surface: "http")
            return gate.secured(gate.refusal(request, .serviceUnavailable, "too_many_requests",
                                             "this client already has \(gate.concurrency.limitPerKey) requests open; finish some first",
                                             headers: [.retryAfter: "1"]), request)
        }
        var response: Response
        do {
            response = try await Self.answer(request, context, next)
        } catch {
            gate.concurrency.release(key)
            throw error
        }
        // A streamed answer (SSE) holds its slot until it ends.
        if response.body.contentLength == nil {
            let body = response.body
            let concurrency = gate.concurrency
            response.body = ResponseBody { writer in
                defer { concurrency.release(key) }
                try await body.write(writer)
            }
        } else {
            gate.concurrency.release(key)
        }
        return gate.secured(response, request)
    }

    /// What the route answers; a thrown HTTP error (an unmatched route's 404) becomes its response
    /// here, so that it gets the security headers too.
    static func answer(_ request: Request, _ context: Context, _ next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        }
    }
}
