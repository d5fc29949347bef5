import OrdinautExtensionKit

/// The built-in `events_demo` extension: publish to and follow event streams.
///
/// - `POST /ext/events_demo/publish/{stream}` publishes the JSON body to `ext:events_demo:<namespace>:<stream>`
///   (`?namespace=`, default `events`) and answers `201` with the event.
/// - `GET /ext/events_demo/subscribe/{stream}` follows a stream as Server-Sent Events whose `data:`
///   lines are JSON events (`?namespace=`, `?source=` — default `events_demo`; `Last-Event-ID` or
///   `?after=` replays retained events first).
/// - Tools `ext.events_demo.publish` and `ext.events_demo.read`.
public struct EventsDemoExtension: Extension {
    public init() {}

    public let info = ExtensionInfo(
        id: "events_demo", name: "Events demo", version: "1.0.0",
        description: "Publish to and follow event streams over HTTP (Server-Sent Events) and MCP tools.")

    public let requestedCapabilities: Set<Capability> = [.routes, .tools, .eventsPublish, .eventsSubscribe]

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
        return routes
    }

    private func publish(_ request: Request, _ context: BasicRequestContext, _ events: ExtensionEvents) async throws -> Response {
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

    private func subscribe(_ request: Request, _ context: BasicRequestContext, _ events: ExtensionEvents) async throws -> Response {
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
