import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautMCP
import OrdinautTracing

/// MCP over HTTP: Streamable HTTP at `/mcp` (both eras), the 2024-11-05 HTTP+SSE transport at
/// `/sse` + `/messages`.
///
/// The era of a POST is read from its headers and body: `MCP-Protocol-Version: 2026-07-28` (or
/// 2026-07-28 `_meta` without a session) is stateless; `initialize` or an `Mcp-Session-Id` is a session.
public struct MCPHTTPEndpoint: Sendable {
    let server: MCPServer
    let configuration: MCPHTTPConfiguration
    let logger: Logger
    /// The access layer in front of the endpoint: it answers scope refusals with a step-up challenge.
    let gate: AccessGate
    let sessions: HTTPSessionStore
    let stateless: MCPConnection
    let parser: JSONParser

    public init(server: MCPServer, configuration: MCPHTTPConfiguration, gate: AccessGate, logger: Logger) {
        self.server = server
        self.configuration = configuration
        self.logger = logger
        self.gate = gate
        sessions = HTTPSessionStore(limit: configuration.maxSessions, perOwnerLimit: configuration.maxSessionsPerPrincipal,
                                    replay: ReplayBuffer(countLimit: configuration.replayBufferSize, byteLimit: configuration.replayBufferBytes))
        stateless = MCPConnection(server: server, kind: .httpStateless)
        parser = JSONParser()
    }

    /// The service that expires idle sessions; run it beside the HTTP server.
    public var sessionReaper: SessionReaper {
        SessionReaper(store: sessions, idleLimit: .seconds(configuration.sessionIdleSeconds), logger: logger)
    }

    public func addRoutes<Context: Hummingbird.RequestContext & PrincipalCarrying>(to router: Router<Context>) {
        addStreamableRoutes(to: router, at: "/mcp")
        router.get("/sse") { request, context in await self.asPrincipal(context) { self.legacyStream(request, principal: $0) } }
        router.post("/messages") { request, context in await self.asPrincipal(context) { await self.legacyPost(request, principal: $0) } }
    }

    /// The Streamable HTTP endpoint alone (POST, GET, DELETE at `path`), e.g. for an extension's routes.
    public func addStreamableRoutes<Methods: RouterMethods>(to routes: Methods, at path: RouterPath) where Methods.Context: PrincipalCarrying {
        routes.post(path) { request, context in await self.asPrincipal(context) { await self.post(request, principal: $0) } }
        routes.get(path) { request, context in await self.asPrincipal(context) { self.getStream(request, principal: $0) } }
        routes.delete(path) { request, context in await self.asPrincipal(context) { self.delete(request, principal: $0) } }
    }

    /// Runs `body` as the principal the access layer put in the context; without one (no access
    /// layer in front), nothing is served.
    func asPrincipal(_ context: some PrincipalCarrying, _ body: (Principal) async -> Response) async -> Response {
        guard let principal = context.principal else {
            return rpcError(.unauthorized, .invalidRequest("no credential was checked for this request"))
        }
        return await body(principal)
    }

    // MARK: Responses

    func json(_ status: HTTPResponse.Status, _ body: JSONValue, headers extra: HTTPFields = [:]) -> Response {
        json(status, encoded: body.encoded(), headers: extra)
    }

    func json(_ status: HTTPResponse.Status, _ response: JSONRPCResponse, headers extra: HTTPFields = [:]) -> Response {
        json(status, encoded: response.encoded(), headers: extra)
    }

    private func json(_ status: HTTPResponse.Status, encoded: [UInt8], headers extra: HTTPFields) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: encoded)))
    }

    func rpcError(_ status: HTTPResponse.Status, _ error: RPCError, id: OrdinautMCP.RequestID? = nil) -> Response {
        json(status, JSONRPCResponse.failure(id, error))
    }

    func plain(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }

    /// The HTTP status for an error the engine returned to a stateless request.
    static func status(for error: RPCError) -> HTTPResponse.Status {
        switch error.code {
        case RPCError.methodNotFoundCode: return .notFound
        case RPCError.headerMismatchCode, RPCError.missingClientCapabilityCode, RPCError.unsupportedProtocolVersionCode,
             RPCError.parseErrorCode, RPCError.invalidRequestCode: return .badRequest
        default: return .ok
        }
    }

    /// Reads the body within the configured limit.
    /// What reading and parsing a request body produced.
    enum BodyRead {
        case parsed(JSONValue)
        case rejected(Response)
    }

    /// Reads the body within the configured limit (413 beyond it) and parses it as JSON (400 with
    /// -32700 when it is not).
    func readJSON(_ request: Request) async -> BodyRead {
        if let length = request.headers.value(.contentLength).flatMap(Int.init), length > configuration.maxBodyBytes {
            return .rejected(tooLarge())
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            return .rejected(tooLarge())
        }
        do {
            return .parsed(try body.withUnsafeReadableBytes { try parser.parse($0) })
        } catch let error as JSONParseError {
            return .rejected(rpcError(.badRequest, .parseError(error.description)))
        } catch {
            return .rejected(rpcError(.badRequest, .parseError("\(error)")))
        }
    }

    private func tooLarge() -> Response {
        rpcError(.contentTooLarge, .invalidRequest("the request body exceeds \(configuration.maxBodyBytes) bytes (ORDINAUT_MAX_BODY_BYTES)"))
    }

    // MARK: POST /mcp

    func post(_ request: Request, principal: Principal) async -> Response {
        guard let contentType = request.headers.value(.contentType), MediaType.isJSON(contentType) else {
            return rpcError(.unsupportedMediaType, .invalidRequest("Content-Type must be application/json"))
        }
        let accept = AcceptedMedia(request)
        if accept.stated && !accept.json && !accept.eventStream {
            return rpcError(.notAcceptable, .invalidRequest("Accept must include application/json and text/event-stream"))
        }
        let value: JSONValue
        switch await readJSON(request) {
        case .parsed(let parsed): value = parsed
        case .rejected(let response): return response
        }
        if case .array(let items) = value {
            return await postBatch(items, sessionID: request.headers.value(.mcpSessionID), principal: principal)
        }
        let message: JSONRPCMessage
        switch JSONRPCMessage.classify(value) {
        case .success(let classified): message = classified
        case .failure(let failure): return rpcError(.badRequest, failure.error, id: failure.id)
        }
        // Refused before anything runs, with the challenge a client steps up from.
        if case .request(let rpc) = message,
           let missing = server.missingScope(method: rpc.method, params: rpc.params, principal: principal) {
            let answer = JSONRPCResponse.failure(rpc.id, .insufficientScope(missing.scope, operation: missing.operation)).json
            return gate.insufficientScope(request, scope: missing.scope, principal: principal, body: answer)
        }
        let versionHeader = request.headers.value(.mcpProtocolVersion)
        if let version = versionHeader, !ProtocolVersion.all.contains(version) {
            return rpcError(.badRequest, .unsupportedProtocolVersion(version, supported: ProtocolVersion.all), id: message.requestID)
        }
        let sessionID = request.headers.value(.mcpSessionID)
        let declaresStateless: Bool
        if let version = versionHeader {
            declaresStateless = ProtocolVersion.statelessEra.contains(version)
        } else {
            declaresStateless = sessionID == nil && message.metaProtocolVersion != nil && message.method != "initialize"
        }
        if declaresStateless {
            return await postStateless(request, message, versionHeader: versionHeader, accept: accept, principal: principal)
        }
        return await postSession(request, message, sessionID: sessionID, versionHeader: versionHeader, accept: accept, principal: principal)
    }

    private func postStateless(_ request: Request, _ message: JSONRPCMessage, versionHeader: String?, accept: AcceptedMedia,
                               principal: Principal) async -> Response {
        switch message {
        case .notification:
            return plain(.accepted)
        case .response:
            return rpcError(.badRequest, .invalidRequest("2026-07-28 clients do not send responses; answer input requests with inputResponses"))
        case .request(let rpc):
            let meta = rpc.params["_meta"]?.objectValue ?? [:]
            guard let headerVersion = versionHeader else {
                return rpcError(.badRequest, .headerMismatch("the MCP-Protocol-Version header is required"), id: rpc.id)
            }
            guard let bodyVersion = meta[ProtocolVersion.MetaKey.protocolVersion]?.stringValue else {
                return rpcError(.badRequest, .invalidParams("_meta \"\(ProtocolVersion.MetaKey.protocolVersion)\" is required"), id: rpc.id)
            }
            guard bodyVersion == headerVersion else {
                return rpcError(.badRequest, .headerMismatch("MCP-Protocol-Version \(headerVersion) differs from _meta version \(bodyVersion)"), id: rpc.id)
            }
            guard let methodHeader = request.headers.value(.mcpMethod) else {
                return rpcError(.badRequest, .headerMismatch("the Mcp-Method header is required"), id: rpc.id)
            }
            guard methodHeader == rpc.method else {
                return rpcError(.badRequest, .headerMismatch("Mcp-Method \(methodHeader) differs from the body's method \(rpc.method)"), id: rpc.id)
            }
            if let nameKey = server.targetParameter(of: rpc.method) {
                let bodyName = rpc.params[nameKey]?.stringValue
                guard let raw = request.headers.value(.mcpName), let headerName = MCPHeaderValue.decode(raw) else {
                    return rpcError(.badRequest, .headerMismatch("the Mcp-Name header is required for \(rpc.method)"), id: rpc.id)
                }
                guard headerName == bodyName else {
                    return rpcError(.badRequest, .headerMismatch("Mcp-Name \(headerName) differs from params.\(nameKey)"), id: rpc.id)
                }
            }
            if rpc.method == "tools/call", let name = rpc.params["name"]?.stringValue,
               let mismatch = Self.headerMismatch(request, bindings: server.tools.headerBindings(for: name),
                                                  arguments: rpc.params["arguments"]?.objectValue ?? [:]) {
                return rpcError(.badRequest, .headerMismatch(mismatch), id: rpc.id)
            }
            guard meta[ProtocolVersion.MetaKey.clientCapabilities]?.objectValue != nil else {
                return rpcError(.badRequest, .invalidParams("_meta \"\(ProtocolVersion.MetaKey.clientCapabilities)\" is required"), id: rpc.id)
            }
            guard server.knows(method: rpc.method), rpc.method != "initialize" else {
                return rpcError(.notFound, .methodNotFound(rpc.method), id: rpc.id)
            }
            let streaming = accept.onlyStream || accept.eventStream
                && (rpc.method == "subscriptions/listen" || meta["progressToken"] != nil || meta[ProtocolVersion.MetaKey.logLevel] != nil)
            return await respond(to: message, on: stateless, principal: principal, streaming: streaming, statusMapping: true)
        }
    }

    /// Why the `Mcp-Param-*` headers do not mirror the arguments they are bound to, if they do not.
    static func headerMismatch(_ request: Request, bindings: [HeaderBinding], arguments: JSONObject) -> String? {
        for binding in bindings {
            guard let name = HTTPField.Name("Mcp-Param-" + binding.header) else { continue }
            let raw = request.headers.value(name)
            switch (arguments[binding.property], raw) {
            case (nil, nil), (.null?, nil): continue
            case (_?, nil): return "the Mcp-Param-\(binding.header) header is required: argument \(binding.property) is bound to it"
            case (nil, _?): return "Mcp-Param-\(binding.header) was sent but argument \(binding.property) is absent"
            case (let value?, let header?):
                guard let decoded = MCPHeaderValue.decode(header) else { return "Mcp-Param-\(binding.header) is not valid base64" }
                let matches: Bool
                switch value {
                case .string(let text): matches = text == decoded
                case .integer, .number: matches = Double(decoded.trimmingCharacters(in: .whitespaces)) == value.doubleValue
                case .bool(let flag): matches = decoded == (flag ? "true" : "false")
                default: matches = false
                }
                if !matches { return "Mcp-Param-\(binding.header) differs from argument \(binding.property)" }
            }
        }
        return nil
    }

    private func postSession(_ request: Request, _ message: JSONRPCMessage, sessionID: String?, versionHeader: String?,
                             accept: AcceptedMedia, principal: Principal) async -> Response {
        if case .request(let rpc) = message, rpc.method == "initialize" {
            guard sessionID == nil else {
                return rpcError(.badRequest, .invalidRequest("initialize must not carry an Mcp-Session-Id; this session is already initialized"), id: rpc.id)
            }
            let session: HTTPSession
            switch sessions.create(server: server, legacy: false, creator: principal) {
            case .success(let created): session = created
            case .failure(let refusal): return tooManySessions(refusal, id: rpc.id)
            }
            let response = await session.connection.handle(message, stream: session.connection.outbox, principal: principal)
            guard let response, response.error == nil else {
                sessions.remove(session.id)
                return json(.ok, response ?? .failure(rpc.id, .internalError("initialize failed")))
            }
            if accept.onlyStream {
                return sseResponse(headers: [.mcpSessionID: session.id]) { mailbox in mailbox.post(response.json) }
            }
            return json(.ok, response, headers: [.mcpSessionID: session.id])
        }
        guard let sessionID else {
            return rpcError(.badRequest, .invalidRequest("an Mcp-Session-Id header is required; send initialize first, or use protocol 2026-07-28"), id: message.requestID)
        }
        guard let session = sessions.lookup(sessionID, owner: principal.subject), session.legacyInbox == nil else {
            return rpcError(.notFound, .invalidRequest("session \(sessionID) does not exist or has expired; initialize again"), id: message.requestID)
        }
        if let version = versionHeader, let negotiated = session.connection.session?.version, version != negotiated {
            return rpcError(.badRequest, .invalidRequest("MCP-Protocol-Version \(version) differs from the session's \(negotiated)"), id: message.requestID)
        }
        session.touch()
        switch message {
        case .notification, .response:
            _ = await session.connection.handle(message, stream: session.connection.outbox, principal: principal)
            return plain(.accepted)
        case .request(let rpc):
            let streaming = accept.onlyStream || accept.eventStream
                && (server.mayTalkBack(rpc.method) || rpc.params["_meta"]?["progressToken"] != nil)
            return await respond(to: message, on: session.connection, principal: principal, streaming: streaming, statusMapping: false,
                                 headers: [.mcpSessionID: session.id])
        }
    }

    /// A 2025-03-26 batch on an existing session, answered as one JSON array (202 when it held no request).
    private func postBatch(_ items: [JSONValue], sessionID: String?, principal: Principal) async -> Response {
        guard let sessionID, let session = sessions.lookup(sessionID, owner: principal.subject), session.legacyInbox == nil else {
            return rpcError(.badRequest, .invalidRequest("a batch is only accepted on a session that negotiated 2025-03-26"))
        }
        session.touch()
        guard let answer = await session.connection.handleBatch(items, stream: DiscardingSink(), principal: principal) else { return plain(.accepted) }
        let status: HTTPResponse.Status = answer.arrayValue == nil ? .badRequest : .ok
        return json(status, answer, headers: [.mcpSessionID: session.id])
    }

    /// Answers a request as JSON, or as an SSE stream that carries its notifications first.
    func respond(to message: JSONRPCMessage, on connection: MCPConnection, principal: Principal, streaming: Bool, statusMapping: Bool,
                 headers: HTTPFields = [:]) async -> Response {
        guard streaming else {
            guard let response = await connection.handle(message, stream: DiscardingSink(), principal: principal) else { return plain(.noContent) }
            var status = HTTPResponse.Status.ok
            var headers = headers
            if let error = response.error {
                if statusMapping { status = Self.status(for: error) }
                // A limited tool call is a 429 in either era, so that HTTP clients back off.
                if error.code == RPCError.rateLimitedCode {
                    status = .tooManyRequests
                    headers[.retryAfter] = String(error.data?["retryAfterSeconds"]?.integerValue ?? 1)
                }
            }
            return json(status, response, headers: headers)
        }
        // The stream's body runs after this handler returns: it continues the request's trace explicitly.
        let trace = Spans.capture()
        return sseResponse(headers: headers) { mailbox in
            await Spans.continuing(trace) {
                if let response = await connection.handle(message, stream: mailbox, principal: principal) { mailbox.post(response.json) }
            }
        }
    }

    func tooManySessions(_ refusal: HTTPSessionStore.Refusal, id: OrdinautMCP.RequestID?) -> Response {
        switch refusal {
        case .full:
            return rpcError(.serviceUnavailable, .internalError("too many sessions (ORDINAUT_MAX_SESSIONS); try again later"), id: id)
        case .ownerFull(let limit):
            return rpcError(.serviceUnavailable, .internalError(
                "this client already holds \(limit) sessions (ORDINAUT_MAX_SESSIONS_PER_PRINCIPAL); delete some (DELETE /mcp) or let them expire"), id: id)
        }
    }
}

extension JSONRPCMessage {
    var method: String? {
        switch self {
        case .request(let request): return request.method
        case .notification(let notification): return notification.method
        case .response: return nil
        }
    }

    var requestID: OrdinautMCP.RequestID? {
        if case .request(let request) = self { return request.id }
        return nil
    }

    var metaProtocolVersion: String? {
        switch self {
        case .request(let request): return request.params["_meta"]?[ProtocolVersion.MetaKey.protocolVersion]?.stringValue
        case .notification(let notification): return notification.params["_meta"]?[ProtocolVersion.MetaKey.protocolVersion]?.stringValue
        case .response: return nil
        }
    }
}
