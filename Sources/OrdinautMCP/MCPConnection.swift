import OrdinautAuth
import OrdinautCore
import Synchronization

/// One client's view of the engine: a stdio process, an HTTP session, or the stateless HTTP endpoint.
///
/// It owns the session-era state (negotiated version, log level, resource subscriptions), the
/// requests in flight (so `notifications/cancelled` can stop them), the server-to-client requests
/// awaiting answers, and an outbox of messages that belong to no request (list changes, resource
/// updates), which the transport drains.
public final class MCPConnection: Sendable {
    /// How the transport relates requests to this connection.
    public enum Kind: Sendable {
        /// One process, one client: ids are unique per connection, cancellation by notification.
        case stdio
        /// One `Mcp-Session-Id`.
        case httpSession
        /// Independent stateless HTTP requests: ids may repeat across clients, so none are tracked.
        case httpStateless
    }

    private struct State {
        var session = SessionState()
        var inFlight: [RequestID: InFlightRequest] = [:]
        var pending: [RequestID: OneShot<Result<JSONValue, RPCError>>] = [:]
        var nextOutgoingID = 0
        var subscriptions: Set<String> = []
        var logLevel: LogLevel?
    }

    public let server: MCPServer
    public let kind: Kind
    /// A random name for this connection: the owner of the tasks its session creates.
    public let identity = "c" + String(UInt64.random(in: .min ... .max), radix: 36)
    private let state = Mutex(State())
    /// Messages not tied to any request, in order; bounded, oldest dropped first. The transport drains it.
    public let outbox: Mailbox
    private let changeToken: Mutex<Int?>

    public init(server: MCPServer, kind: Kind, outboxLimit: Int = 1024) {
        self.server = server
        self.kind = kind
        outbox = Mailbox(capacity: outboxLimit)
        changeToken = Mutex(nil)
        if kind != .httpStateless {
            let token = server.changes.subscribe { [weak self] event in self?.deliver(event) }
            changeToken.withLock { $0 = token }
        }
    }

    /// The negotiated session, once `initialize` has been answered.
    public var session: SessionState.Session? { state.withLock { $0.session.session } }

    /// Handles one message and returns the response to send back, if any.
    public func handle(_ message: JSONRPCMessage, stream: any MessageSink, principal: Principal) async -> JSONRPCResponse? {
        switch message {
        case .request(let request):
            return await handle(request, stream: stream, principal: principal)
        case .notification(let notification):
            handle(notification)
            return nil
        case .response(let response):
            resolve(response)
            return nil
        }
    }

    /// Handles a JSON-RPC batch. Only a session that negotiated 2025-03-26 accepts one (that revision
    /// required receiving batches; 2025-06-18 removed them). Requests in a batch run concurrently;
    /// the answer is the array of their responses, or `nil` when the batch held only notifications
    /// and responses.
    public func handleBatch(_ items: [JSONValue], stream: any MessageSink, principal: Principal) async -> JSONValue? {
        guard session?.version == "2025-03-26" else {
            return JSONRPCResponse.failure(nil, .invalidRequest(
                "a batch is only accepted on a session that negotiated 2025-03-26 (batching was removed from MCP in 2025-06-18)")).json
        }
        guard !items.isEmpty else { return JSONRPCResponse.failure(nil, .invalidRequest("an empty batch")).json }
        var responses: [JSONValue] = []
        var requests: [JSONRPCMessage] = []
        for item in items {
            switch JSONRPCMessage.classify(item) {
            case .failure(let failure): responses.append(JSONRPCResponse.failure(failure.id, failure.error).json)
            case .success(let message):
                if case .request(let request) = message, request.method != "initialize" {
                    requests.append(message)
                } else if let response = await handle(message, stream: stream, principal: principal) {
                    responses.append(response.json)
                }
            }
        }
        await withTaskGroup(of: JSONValue?.self) { group in
            for message in requests {
                group.addTask { await self.handle(message, stream: stream, principal: principal)?.json }
            }
            for await response in group {
                if let response { responses.append(response) }
            }
        }
        return responses.isEmpty ? nil : .array(responses)
    }

    /// Stops everything: cancels requests in flight, fails pending server-to-client requests, and
    /// ends the outbox.
    public func close() {
        let (requests, pending) = state.withLock { state in
            state.session.close()
            let requests = Array(state.inFlight.values)
            let pending = Array(state.pending.values)
            state.pending.removeAll()
            return (requests, pending)
        }
        requests.forEach { $0.cancel() }
        pending.forEach { $0.fulfil(.failure(.internalError("the connection closed"))) }
        if let token = changeToken.withLock({ $0 }) { server.changes.unsubscribe(token) }
        outbox.close()
    }

    // MARK: Requests

    private func handle(_ request: JSONRPCRequest, stream: any MessageSink, principal: Principal) async -> JSONRPCResponse? {
        if request.method == "initialize" && request.params["_meta"]?[ProtocolVersion.MetaKey.protocolVersion] == nil {
            return initialize(request)
        }
        let context: RequestContext
        switch makeContext(for: request, stream: stream, principal: principal) {
        case .success(let made): context = made
        case .failure(let error): return .failure(request.id, error)
        }
        guard let handler = server.methods[request.method], type(of: handler).eras.contains(context.era.kind) else {
            return .failure(request.id, .methodNotFound(request.method))
        }
        if type(of: handler).readsSurface { await server.surfaceGate.pass() }
        let params = request.params
        if !type(of: handler).checksOwnScope, let missing = server.missingScope(method: request.method, params: params, principal: principal) {
            return .failure(request.id, .insufficientScope(missing.scope, operation: missing.operation))
        }
        let observer = server.configuration.observer
        let run: @Sendable () async -> Result<MethodResult, RPCError> = {
            let began = ContinuousClock.now
            let outcome = await MethodSpan.run(handler, params: params, context: context) { () async -> Result<MethodResult, RPCError> in
                do throws(RPCError) {
                    return .success(try await handler.handle(params, context))
                } catch {
                    return .failure(error)
                }
            }
            if let observer {
                let failed = if case .failure = outcome { true } else { false }
                observer.requestFinished(method: request.method, failed: failed, duration: ContinuousClock.now - began)
            }
            return outcome
        }
        let outcome: Result<MethodResult, RPCError>
        if kind == .httpStateless {
            // Each HTTP request runs in its own task; closing its stream cancels that task.
            outcome = await run()
        } else {
            let entry = InFlightRequest()
            let duplicate = state.withLock { state -> Bool in
                if state.inFlight[request.id] != nil { return true }
                state.inFlight[request.id] = entry
                return false
            }
            if duplicate { return .failure(request.id, .invalidRequest("request id \(request.id) is already in flight")) }
            defer { _ = state.withLock { $0.inFlight.removeValue(forKey: request.id) } }
            if kind == .stdio {
                // The stdio transport runs every request in a task of its own (a child of its request
                // group): `notifications/cancelled` cancels that task, with no second one to hop to.
                outcome = await entry.run(run)
            } else {
                // An HTTP session request is called from the task that also answers on its stream, so
                // it gets a task of its own that `notifications/cancelled` can cancel by id. It is
                // awaited right here, so it never outlives the request.
                let task = Task { await run() }
                entry.attach { task.cancel() }
                outcome = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
            }
            if entry.isCancelled { return nil }
        }
        // A cancelled request gets no response (2025-11-25 cancellation; 2026-07-28 stream close).
        guard !Task.isCancelled else { return nil }
        switch outcome {
        case .success(.object(var result)):
            if context.era.isStateless { decorate(&result, handler: handler) }
            return .success(request.id, .object(result))
        case .success(.tool(let result)):
            return .success(request.id, ToolCallResult(result: result, serverInfo: context.era.isStateless ? server.serverInfo : nil))
        case .failure(let error):
            return .failure(request.id, error)
        }
    }

    /// Adds what every stateless-era result carries: `resultType`, server info, cache hints
    /// (`ToolCallResult` adds the same to a tool's result as it writes it).
    private func decorate(_ result: inout JSONObject, handler: any MethodHandler) {
        if result["resultType"] == nil { result["resultType"] = "complete" }
        var meta = result["_meta"]?.objectValue ?? [:]
        meta[ProtocolVersion.MetaKey.serverInfo] = server.serverInfo
        result["_meta"] = .object(meta)
        if type(of: handler).isCacheable && result["resultType"] == "complete" {
            if result["ttlMs"] == nil { result["ttlMs"] = .integer(Int64(server.configuration.cacheTTLMilliseconds)) }
            if result["cacheScope"] == nil { result["cacheScope"] = "private" }
        }
    }

    private func initialize(_ request: JSONRPCRequest) -> JSONRPCResponse {
        let outcome = state.withLock { $0.session.initialize(request.params) }
        switch outcome {
        case .failure(let error):
            return .failure(request.id, error)
        case .success(let session):
            state.withLock { $0.logLevel = server.configuration.defaultSessionLogLevel }
            let era = ProtocolEra.session(version: session.version)
            var result: JSONObject = [
                "protocolVersion": .string(session.version),
                "capabilities": server.capabilities(era: era),
                "serverInfo": server.serverInfo,
            ]
            if let instructions = server.configuration.instructions { result["instructions"] = .string(instructions) }
            return .success(request.id, .object(result))
        }
    }

    private func makeContext(for request: JSONRPCRequest, stream: any MessageSink, principal: Principal) -> Result<RequestContext, RPCError> {
        let meta = request.params["_meta"]?.objectValue ?? [:]
        let session = state.withLock { $0.session.session }
        // A request that declares a stateless revision is self-describing, session or not; any other
        // declared version is an error unless a session already says how to serve it.
        let declared = meta[ProtocolVersion.MetaKey.protocolVersion]
        let declaresStateless = declared?.stringValue.map(ProtocolVersion.statelessEra.contains) ?? false
        if let declared, declaresStateless || session == nil || kind == .httpStateless {
            guard let version = declared.stringValue, ProtocolVersion.statelessEra.contains(version) else {
                return .failure(.unsupportedProtocolVersion(declared.stringValue ?? declared.description, supported: ProtocolVersion.statelessEra))
            }
            guard let capabilities = meta[ProtocolVersion.MetaKey.clientCapabilities]?.objectValue else {
                return .failure(.invalidParams("_meta \"\(ProtocolVersion.MetaKey.clientCapabilities)\" is required (an object; {} declares none)"))
            }
            var threshold: LogLevel? = nil
            if let level = meta[ProtocolVersion.MetaKey.logLevel] {
                guard let name = level.stringValue, let parsed = LogLevel(rawValue: name) else {
                    return .failure(.invalidParams("_meta \"\(ProtocolVersion.MetaKey.logLevel)\" must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                threshold = parsed
            }
            return .success(RequestContext(
                id: request.id, principal: principal, method: request.method, era: .stateless(version: version),
                clientCapabilities: capabilities, clientInfo: meta[ProtocolVersion.MetaKey.clientInfo], meta: meta,
                inputResponses: request.params["inputResponses"]?.objectValue, taskRequest: nil, logThreshold: threshold,
                stream: stream, connection: self))
        }
        if request.method == "server/discover" && session == nil {
            // Answered even without _meta so that dual-era clients can probe.
            return .success(RequestContext(
                id: request.id, principal: principal, method: request.method, era: .stateless(version: ProtocolVersion.latestStateless),
                clientCapabilities: [:], clientInfo: nil, meta: meta, inputResponses: nil, taskRequest: nil, logThreshold: nil,
                stream: stream, connection: self))
        }
        if kind == .httpStateless {
            return .failure(.invalidRequest("this request has no session and no _meta \"\(ProtocolVersion.MetaKey.protocolVersion)\""))
        }
        let admitted = state.withLock { $0.session.admit(request.method) }
        switch admitted {
        case .failure(let error):
            return .failure(error)
        case .success(let session):
            let version = session?.version ?? ProtocolVersion.latestSession
            return .success(RequestContext(
                id: request.id, principal: principal, method: request.method, era: .session(version: version),
                clientCapabilities: session?.clientCapabilities ?? [:], clientInfo: session?.clientInfo, meta: meta,
                inputResponses: nil, taskRequest: version >= "2025-11-25" ? request.params["task"]?.objectValue : nil,
                logThreshold: state.withLock { $0.logLevel }, stream: stream, connection: self))
        }
    }

    // MARK: Notifications and responses from the client

    private func handle(_ notification: JSONRPCNotification) {
        switch notification.method {
        case "notifications/initialized":
            state.withLock { $0.session.initialized() }
        case "notifications/cancelled":
            guard kind != .httpStateless, let raw = notification.params["requestId"], let id = RequestID(raw) else { return }
            let entry = state.withLock { $0.inFlight[id] }
            entry?.cancel()
        default:
            // Unknown notifications are ignored, as JSON-RPC requires.
            break
        }
    }

    private func resolve(_ response: JSONRPCResponse) {
        guard let id = response.id else { return }
        let answer = state.withLock { $0.pending[id] }
        answer?.fulfil(response.outcome)
    }

    // MARK: Server-to-client

    /// Sends a request to the client on `stream` and waits for its answer (session era).
    func sendRequest(method: String, params: JSONObject, via stream: any MessageSink) async throws -> JSONValue {
        let answer = OneShot<Result<JSONValue, RPCError>>()
        let id = state.withLock { state -> RequestID in
            state.nextOutgoingID += 1
            let id = RequestID.string("ordinaut-\(state.nextOutgoingID)")
            state.pending[id] = answer
            return id
        }
        defer { _ = state.withLock { $0.pending.removeValue(forKey: id) } }
        await stream.send(JSONRPCRequest(id: id, method: method, params: params).json)
        let timeout = server.configuration.clientRequestTimeout
        let outcome = await withTaskGroup(of: Result<JSONValue, RPCError>?.self) { group in
            group.addTask { await answer.value() ?? nil }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if Task.isCancelled { throw CancellationError() }
        guard let outcome else { throw RPCError.internalError("the client did not answer \(method) within \(Int(timeout)) s") }
        return try outcome.get()
    }

    /// Updates the session's log threshold (`logging/setLevel`).
    func setLogLevel(_ level: LogLevel) {
        state.withLock { $0.logLevel = level }
    }

    func subscribe(_ uri: String) {
        _ = state.withLock { $0.subscriptions.insert(uri) }
    }

    func unsubscribe(_ uri: String) {
        _ = state.withLock { $0.subscriptions.remove(uri) }
    }

    private func deliver(_ event: ChangeEvent) {
        let (initialized, subscribed) = state.withLock { state -> (Bool, Bool) in
            let initialized = state.session.session != nil
            switch event {
            case .resourceUpdated(let uri): return (initialized, state.subscriptions.contains(uri))
            // Task changes reach listeners of the stateless era only (`notifications/tasks`).
            case .taskUpdated: return (initialized, false)
            default: return (initialized, true)
            }
        }
        guard initialized, subscribed else { return }
        outbox.post(event.notification(subscriptionID: nil).json)
    }
}

extension ChangeEvent {
    func notification(subscriptionID: RequestID?) -> JSONRPCNotification {
        var params: JSONObject = [:]
        let method: String
        switch self {
        case .toolsListChanged: method = "notifications/tools/list_changed"
        case .resourcesListChanged: method = "notifications/resources/list_changed"
        case .promptsListChanged: method = "notifications/prompts/list_changed"
        case .resourceUpdated(let uri):
            method = "notifications/resources/updated"
            params["uri"] = .string(uri)
        case .taskUpdated(let id):
            method = "notifications/tasks"
            params["taskId"] = .string(id)
        }
        if let subscriptionID { params["_meta"] = [ProtocolVersion.MetaKey.subscriptionID: subscriptionID.json] }
        return JSONRPCNotification(method: method, params: params)
    }
}
