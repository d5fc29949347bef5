import OrdinautExtensionKit

/// The built-in `events_demo` extension: publish to and follow event streams.
///
/// - `POST /ext/events_demo/publish/{stream}` publishes the JSON body to `ext:events_demo:<namespace>:<stream>`
///   (`?namespace=`, default `events`) and answers `201` with the event.
/// - `GET /ext/events_demo/subscribe/{stream}` follows a stream as Server-Sent Events whose `data:`
///   lines are JSON events (`?namespace=`, `?source=` — default `events_demo`; `Last-Event-ID` or
///   `?after=` replays retained events first).
/// - `GET /ext/events_demo/ws/{stream}` (WebSocket): every event of the stream arrives as a JSON text
///   frame; every JSON text frame sent is published to it (`?namespace=` as above).
/// - Tools `ext.events_demo.publish` and `ext.events_demo.read`.
public struct EventsDemoExtension: Extension {
    public init() {}

    public let info = ExtensionInfo(
        id: "events_demo", name: "Events demo", version: "1.0.0",
        description: "Publish to and follow event streams over HTTP (Server-Sent Events) and MCP tools.")

    public let requestedCapabilities: Set<Capability> = [.routes, .tools, .eventsPublish, .eventsSubscribe, .staticFiles]

    public func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        let events = try context.events
        try registerTools(try context.tools, events)
        let routes = try context.routes()
        routes.post("/publish/{stream}") { request, requestContext in
            try await publish(request, requestContext, events)
        }
        routes.get("/subscribe/{stream}") { request, requestContext in
            try await subscribe(request, requestContext, events)
        }
        routes.ws("/ws/{stream}") { inbound, outbound, context in
            try await converse(inbound, outbound, context, events)
        }
        return routes
    }

    private func publish(_ request: Request, _ context: ExtensionRequestContext, _ events: ExtensionEvents) async throws -> Response {
        let stream = try context.parameters.require("stream")
        let namespace = request.uri.queryParameters["namespace"].map(String.init) ?? StreamName.defaultNamespace
        let body = try await request.body.collect(upTo: 1 << 20)
        let payload: JSONValue
        do {
            payload = body.readableBytes == 0 ? .null : try JSONParser().parse(Array(body.readableBytesView))
        } catch {
            return Self.error(.badRequest, "invalid_json", "the body is not valid JSON: \(error)")
        }
        do {
            let event = try await events.publish(stream, payload, namespace: namespace)
            return Self.json(.created, ["event": event.json])
        } catch let error as EventBusError {
            return Self.error(.badRequest, "invalid_event", error.message)
        }
    }

    private func subscribe(_ request: Request, _ context: ExtensionRequestContext, _ events: ExtensionEvents) async throws -> Response {
        let stream = try context.parameters.require("stream")
        let namespace = request.uri.queryParameters["namespace"].map(String.init) ?? StreamName.defaultNamespace
        let source = request.uri.queryParameters["source"].map(String.init) ?? info.id
        let after = request.headers[HTTPField.Name("Last-Event-ID")!] ?? request.uri.queryParameters["after"].map(String.init)
        for (part, role) in [(stream, "name"), (namespace, "namespace"), (source, "source")] {
            if let problem = StreamName.problem(with: part, as: role) { return Self.error(.badRequest, "invalid_stream", problem) }
        }
        let name = StreamName(source: source, namespace: namespace, name: stream)
        let (items, continuation) = AsyncStream.makeStream(of: EventStreamResponse.Item.self, bufferingPolicy: .bufferingNewest(10_000))
        let subscription = try await events.subscribe(name.description, fanOut: true) { event in
            continuation.yield(EventStreamResponse.Item(id: event.id, data: event.json))
        }
        if let after {
            do {
                for event in try await events.read(name, after: after, limit: 1000) {
                    continuation.yield(EventStreamResponse.Item(id: event.id, data: event.json))
                }
            } catch let error as EventBusError {
                subscription.cancel()
                return Self.error(.badRequest, "invalid_event_id", error.message)
            }
        }
        return EventStreamResponse.make(items) {
            subscription.cancel()
            continuation.finish()
        }
    }

    /// A WebSocket on one stream: events out as text frames, text frames in as events.
    private func converse(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter,
                          _ context: WebSocketRouterContext<ExtensionRequestContext>, _ events: ExtensionEvents) async throws {
        let stream = try context.requestContext.parameters.require("stream")
        let namespace = context.request.uri.queryParameters["namespace"].map(String.init) ?? StreamName.defaultNamespace
        let (items, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(10_000))
        let subscription = try await events.subscribe(StreamName(source: info.id, namespace: namespace, name: stream).description,
                                                      fanOut: true) { continuation.yield($0) }
        defer { subscription.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in items { try await outbound.write(.text(event.json.encodedString())) }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message, let payload = try? JSONParser().parse(text) else {
                        try await outbound.write(.text(#"{"error":"invalid_json","message":"send JSON text frames"}"#))
                        continue
                    }
                    _ = try await events.publish(stream, payload, namespace: namespace)
                }
            }
            // The client closing the socket ends the reader; then the writer stops too.
            try await group.next()
            continuation.finish()
            group.cancelAll()
        }
    }

    /// The tools' names, schemas and descriptions are the ones `extension.json` declares.
    private func registerTools(_ tools: ToolRegistrar, _ events: ExtensionEvents) throws {
        try tools.implement("publish") { arguments, _ in
            let event = try await events.publish(arguments["stream"]!.stringValue!, arguments["payload"] ?? .null,
                                                 namespace: arguments["namespace"]?.stringValue ?? StreamName.defaultNamespace)
            return .structured(["event": event.json])
        }
        try tools.implement("read") { arguments, _ in
            let name = StreamName(source: arguments["source"]?.stringValue ?? "events_demo",
                                  namespace: arguments["namespace"]?.stringValue ?? StreamName.defaultNamespace,
                                  name: arguments["stream"]!.stringValue!)
            let limit = arguments["limit"]?.integerValue.map(Int.init) ?? 100
            let found = try await events.read(name, after: arguments["after"]?.stringValue, limit: limit)
            return .structured(["stream": .string(name.description), "events": .array(found.map(\.json))])
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ body: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.encoded())))
    }

    private static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        json(status, ["error": .string(code), "message": .string(message)])
    }
}
