import Hummingbird
import NIOCore
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautMCP
import ServiceLifecycle
import Synchronization

/// Set by a stream's keep-alive ticker, taken by its pump.
private final class TickFlag: Sendable {
    private let due = Mutex(false)

    func set() { due.withLock { $0 = true } }

    func take() -> Bool {
        due.withLock { due in
            defer { due = false }
            return due
        }
    }
}

extension MCPHTTPEndpoint {
    static let sseHeaders: HTTPFields = [
        .contentType: "text/event-stream", .cacheControl: "no-cache", .accelBuffering: "no",
    ]

    /// An SSE response whose events come from a mailbox that `produce` fills. The producer runs as a
    /// child of the response-writing task: when the client closes the stream, the write fails and the
    /// producer is cancelled, which is how the 2026-07-28 transport cancels a request.
    func sseResponse(headers extra: HTTPFields = [:], produce: @escaping @Sendable (Mailbox) async -> Void) -> Response {
        var headers = Self.sseHeaders
        headers.append(contentsOf: extra)
        let keepAlive = Duration.seconds(configuration.keepAliveSeconds)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let mailbox = Mailbox()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await produce(mailbox)
                    mailbox.close()
                }
                _ = await Self.pump(mailbox, into: &writer, keepAlive: keepAlive) { message in
                    ServerSentEvents.event(message)
                }
                // The producer is done when the stream completed; otherwise the client left or the
                // server is stopping, and the request is cancelled.
                group.cancelAll()
            }
            try? await writer.finish(nil)
        })
    }

    /// Writes mailbox messages as events until the mailbox closes (returns `true`), a write fails, the
    /// server shuts down, or an interruption finds `stillWanted` false (all return `false`). A
    /// keep-alive comment goes out every `keepAlive`.
    ///
    /// Streams are long-lived: without ending them on graceful shutdown, the HTTP server would wait
    /// for them forever. The keep-alive comes from one ticker per stream that interrupts the mailbox —
    /// not from a sleep raced against every read: a cancelled sleep holds its memory until its
    /// deadline, which at many messages a second adds up.
    static func pump(_ mailbox: Mailbox, into writer: inout any ResponseBodyWriter, keepAlive: Duration,
                     stillWanted: () -> Bool = { true }, encode: (JSONValue) -> ByteBuffer) async -> Bool {
        let tick = TickFlag()
        let ticker = Task {
            while (try? await Task.sleep(for: keepAlive)) != nil {
                tick.set()
                mailbox.interrupt()
            }
        }
        defer { ticker.cancel() }
        return await withGracefulShutdownHandler {
            while true {
                do {
                    switch await mailbox.next() {
                    case .message(let message):
                        try await writer.write(encode(message))
                    case .interrupted:
                        if Task.isShuttingDownGracefully || !stillWanted() { return false }
                        if tick.take() { try await writer.write(ServerSentEvents.keepAlive) }
                    case .closed:
                        return true
                    }
                } catch {
                    return false
                }
            }
        } onGracefulShutdown: {
            mailbox.interrupt()
        }
    }

    // MARK: GET /mcp — the session's server stream

    func getStream(_ request: Request, principal: Principal) -> Response {
        if let version = request.headers.value(.mcpProtocolVersion), ProtocolVersion.statelessEra.contains(version) {
            return rpcError(.methodNotAllowed, .invalidRequest("2026-07-28 has no GET stream; use subscriptions/listen"))
        }
        guard AcceptedMedia(request).eventStream else {
            return rpcError(.notAcceptable, .invalidRequest("GET /mcp needs Accept: text/event-stream"))
        }
        guard let sessionID = request.headers.value(.mcpSessionID) else {
            return rpcError(.badRequest, .invalidRequest("an Mcp-Session-Id header is required"))
        }
        guard let session = sessions.lookup(sessionID, owner: principal.subject), session.legacyInbox == nil else {
            return rpcError(.notFound, .invalidRequest("session \(sessionID) does not exist or has expired"))
        }
        let claim = session.claimStream()
        let resumeAfter = request.headers.value(.lastEventID).flatMap(Int.init)
        let keepAlive = Duration.seconds(configuration.keepAliveSeconds)
        var headers = Self.sseHeaders
        headers[.mcpSessionID] = session.id
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { session.releaseStream(claim.generation, ended: claim.ended) }
            if let previous = claim.previous { _ = await previous.value() }
            do {
                try await writer.write(ServerSentEvents.priming(id: "0"))
                if let resumeAfter {
                    for (id, message) in session.replay(after: resumeAfter) {
                        try await writer.write(ServerSentEvents.event(message, id: String(id)))
                    }
                }
            } catch {
                return
            }
            _ = await Self.pump(session.connection.outbox, into: &writer, keepAlive: keepAlive,
                                stillWanted: { session.ownsStream(claim.generation) }) { message in
                ServerSentEvents.event(message, id: String(session.record(message)))
            }
            try? await writer.finish(nil)
        })
    }

    // MARK: DELETE /mcp

    func delete(_ request: Request, principal: Principal) -> Response {
        if let version = request.headers.value(.mcpProtocolVersion), ProtocolVersion.statelessEra.contains(version) {
            return rpcError(.methodNotAllowed, .invalidRequest("2026-07-28 has no sessions to delete"))
        }
        guard let sessionID = request.headers.value(.mcpSessionID) else {
            return rpcError(.badRequest, .invalidRequest("an Mcp-Session-Id header is required"))
        }
        guard sessions.lookup(sessionID, owner: principal.subject) != nil else {
            return rpcError(.notFound, .invalidRequest("session \(sessionID) does not exist or has expired"))
        }
        sessions.remove(sessionID)
        return plain(.ok)
    }

    // MARK: The 2024-11-05 HTTP+SSE transport

    func legacyStream(_ request: Request, principal: Principal) -> Response {
        let session: HTTPSession
        switch sessions.create(server: server, legacy: true, creator: principal) {
        case .success(let created): session = created
        case .failure(let refusal): return tooManySessions(refusal, id: nil)
        }
        guard let inbox = session.legacyInbox else { return rpcError(.internalServerError, .internalError("a legacy session without an inbox")) }
        let keepAlive = Duration.seconds(configuration.keepAliveSeconds)
        let connection = session.connection
        return Response(status: .ok, headers: Self.sseHeaders, body: ResponseBody { writer in
            defer { sessions.remove(session.id) }
            guard (try? await writer.write(ServerSentEvents.raw(event: "endpoint", data: "/messages?session_id=\(session.id)"))) != nil else { return }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Every POSTed message is handled here, as a child of the stream that carries its answer.
                    await withTaskGroup(of: Void.self) { handlers in
                        while let value = await inbox.receive() {
                            guard case .success(let message) = JSONRPCMessage.classify(value) else { continue }
                            handlers.addTask {
                                if let response = await connection.handle(message, stream: connection.outbox, principal: principal) {
                                    connection.outbox.post(response.json)
                                }
                            }
                        }
                    }
                }
                _ = await Self.pump(connection.outbox, into: &writer, keepAlive: keepAlive) { ServerSentEvents.event($0) }
                inbox.close()
                group.cancelAll()
            }
            try? await writer.finish(nil)
        })
    }

    func legacyPost(_ request: Request, principal: Principal) async -> Response {
        guard let sessionID = request.uri.queryParameters.get("session_id") else {
            return rpcError(.badRequest, .invalidRequest("session_id query parameter is required"))
        }
        guard let session = sessions.lookup(sessionID, owner: principal.subject), let inbox = session.legacyInbox else {
            return rpcError(.notFound, .invalidRequest("session \(sessionID) does not exist or has expired"))
        }
        let value: JSONValue
        switch await readJSON(request) {
        case .parsed(let parsed): value = parsed
        case .rejected(let response): return response
        }
        if case .failure(let failure) = JSONRPCMessage.classify(value) {
            return rpcError(.badRequest, failure.error, id: failure.id)
        }
        session.touch()
        inbox.post(value)
        return Response(status: .accepted, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "Accepted")))
    }
}
