import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautMCP

extension AccessGate {
    /// Whether `path` is one of the MCP endpoints, whose refusals are JSON-RPC error bodies.
    static func isMCPPath(_ path: String) -> Bool {
        path == "/mcp" || path == "/sse" || path == "/messages" || path.hasPrefix("/ext/mcp_http")
    }

    /// A refusal in the body the route family speaks: JSON-RPC for MCP, the seed's error body elsewhere.
    func refusal(_ request: Request, _ status: HTTPResponse.Status, _ code: String, _ message: String,
                 headers: HTTPFields = [:]) -> Response {
        guard Self.isMCPPath(request.uri.path) else { return ErrorBody.response(status, code, message, headers: headers) }
        let rpcCode = status == .tooManyRequests ? RPCError.rateLimitedCode : RPCError.invalidRequestCode
        var fields: HTTPFields = [.contentType: "application/json"]
        fields.append(contentsOf: headers)
        let body = JSONRPCResponse.failure(nil, RPCError(code: rpcCode, message: message)).json
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.encoded())))
    }

    /// 401 with the challenge the MCP authorization spec asks for: where the protected resource
    /// metadata is, and which scopes to ask for.
    func unauthorized(_ request: Request, error: String?, _ message: String, reason: String?, address: String?) -> Response {
        if let reason {
            configuration.observer?.accessDenied(reason: reason)
            configuration.onAuthenticationFailure?(message, address, request.uri.path)
        }
        var parameters: [(String, String)] = []
        if let error {
            parameters.append(("error", error))
            parameters.append(("error_description", message))
        }
        if let metadata = resourceMetadataURL(request) { parameters.append(("resource_metadata", metadata)) }
        parameters.append(("scope", challengeScope(for: request)))
        return refusal(request, .unauthorized, "unauthorized", message, headers: [.wwwAuthenticate: Self.challenge(parameters)])
    }

    /// 403 naming the scope to step up to: what the principal holds plus what it lacks, so that a
    /// client re-authorizing with it loses nothing (MCP authorization, scope challenges). `body` is
    /// the JSON-RPC answer when the refusal concerns a request whose id is known.
    public func insufficientScope(_ request: Request, scope: String, principal: Principal, body: JSONValue?) -> Response {
        configuration.observer?.accessDenied(reason: "forbidden")
        let wanted = (principal.scopes.sorted.filter { $0 != ScopeSet.admin } + [scope]).joined(separator: " ")
        var parameters: [(String, String)] = [
            ("error", "insufficient_scope"), ("scope", wanted),
            ("error_description", "this needs scope \(scope)"),
        ]
        if let metadata = resourceMetadataURL(request) { parameters.append(("resource_metadata", metadata)) }
        let headers: HTTPFields = [.wwwAuthenticate: Self.challenge(parameters)]
        // (JSONValue is nil-literal expressible, so optionals of it are spelled out, never `?? nil`.)
        let answer: JSONValue
        if let body {
            answer = body
        } else if Self.isMCPPath(request.uri.path) {
            answer = JSONRPCResponse.failure(nil, .insufficientScope(scope, operation: "\(request.method.rawValue) \(request.uri.path)")).json
        } else {
            return ErrorBody.response(.forbidden, "forbidden", "the credential lacks scope \(scope)", details: ["required": .string(scope)], headers: headers)
        }
        var fields: HTTPFields = [.contentType: "application/json"]
        fields.append(contentsOf: headers)
        return Response(status: .forbidden, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.encoded())))
    }

    private func challengeScope(for request: Request) -> String {
        switch AccessPolicy.requirement(method: request.method.rawValue, path: Substring(request.uri.path)) {
        case .scope(let scope): return scope
        case .open, .authenticated: return configuration.challengeScopes.joined(separator: " ")
        }
    }

    static func challenge(_ parameters: [(String, String)]) -> String {
        "Bearer " + parameters.map { name, value in
            // Quoted-string: no quotes or backslashes inside, no control characters.
            let clean = value.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7f }
            return "\(name)=\"\(String(String.UnicodeScalarView(clean)))\""
        }.joined(separator: ", ")
    }

    // MARK: Protected resource metadata (RFC 9728)

    /// The base URL of this server as clients see it.
    func publicBase(_ request: Request) -> String {
        if let configured = configuration.publicURL { return configured }
        return "http://" + (request.head.authority ?? configuration.bindHost)
    }

    /// The MCP resource identifier (RFC 8707): what access tokens must name as their audience.
    public func resourceIdentifier(_ request: Request) -> String {
        publicBase(request) + "/mcp"
    }

    /// Where the metadata for the requested resource is; `nil` when no authorization server is configured.
    func resourceMetadataURL(_ request: Request) -> String? {
        guard !configuration.authorizationServers.isEmpty else { return nil }
        let base = publicBase(request) + "/.well-known/oauth-protected-resource"
        return Self.isMCPPath(request.uri.path) ? base + "/mcp" : base
    }

    /// `GET /.well-known/oauth-protected-resource` and its `/mcp` form.
    public func addMetadataRoutes<Context: Hummingbird.RequestContext>(to router: Router<Context>) {
        let handler: @Sendable (Request, Context) async throws -> Response = { request, _ in
            let metadata: JSONValue = [
                "resource": .string(self.resourceIdentifier(request)),
                "authorization_servers": .array(self.configuration.authorizationServers.map { .string($0) }),
                "scopes_supported": .array(Scope.known.map { .string($0) }),
                "bearer_methods_supported": ["header"],
                "resource_name": "Ordinaut",
                "resource_documentation": .string(self.publicBase(request) + "/health"),
            ]
            return ErrorBody.json(.ok, metadata, headers: [.cacheControl: "max-age=300"])
        }
        router.get("/.well-known/oauth-protected-resource", use: handler)
        router.get("/.well-known/oauth-protected-resource/mcp", use: handler)
    }
}
