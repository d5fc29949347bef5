import OrdinautAuth
import OrdinautCore

/// `resources/list`.
struct ListResourcesMethod: MethodHandler {
    static let name = "resources/list"
    static let isCacheable = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let page = try Pagination.page(context.server.resources.resources.filter { context.principal.holds(AccessPolicy.mcpScope(declared: $0.scope)) }, params: params, size: context.server.configuration.pageSize)
        return Pagination.result("resources", page.items.map { $0.descriptor(version: context.era.version) }, next: page.next)
    }
}

/// `resources/templates/list`.
struct ListResourceTemplatesMethod: MethodHandler {
    static let name = "resources/templates/list"
    static let isCacheable = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let page = try Pagination.page(context.server.resources.templates.filter { context.principal.holds(AccessPolicy.mcpScope(declared: $0.scope)) }, params: params, size: context.server.configuration.pageSize)
        return Pagination.result("resourceTemplates", page.items.map { $0.descriptor(version: context.era.version) }, next: page.next)
    }
}

/// `resources/read`. An unknown URI is -32002 in the session era and -32602 in 2026-07-28.
struct ReadResourceMethod: MethodHandler {
    static let name = "resources/read"
    static let targetParameter: String? = "uri"
    static let mayTalkBack = true
    static let isCacheable = true

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let uri = params["uri"]?.stringValue else { throw RPCError.invalidParams("resources/read needs a string \"uri\"") }
        guard let (reader, variables, _) = context.server.resources.reader(for: uri) else {
            let message = "Resource not found: \(uri)"
            if context.era.isStateless { throw RPCError.invalidParams(message, data: ["uri": .string(uri)]) }
            throw RPCError(code: RPCError.resourceNotFoundCode, message: message, data: ["uri": .string(uri)])
        }
        try InputRound.verify(params, method: Self.name, target: uri, arguments: .null, context: context)
        do {
            let contents = try await reader(uri, variables, context)
            return ["contents": .array(contents.map(\.json))]
        } catch let error as RPCError {
            throw error
        } catch let signal as InputRequiredSignal {
            return InputRound.result(for: signal, method: Self.name, target: uri, arguments: .null, context: context)
        } catch {
            throw RPCError.internalError("reading \(uri) failed: \(error)")
        }
    }
}

/// `resources/subscribe` (session era).
struct SubscribeMethod: MethodHandler {
    static let name = "resources/subscribe"
    static let eras: Set<ProtocolEra.Kind> = [.session]

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let uri = params["uri"]?.stringValue else { throw RPCError.invalidParams("resources/subscribe needs a string \"uri\"") }
        guard context.server.resources.isSubscribable(uri) else {
            throw RPCError(code: RPCError.resourceNotFoundCode, message: "Resource not found or not subscribable: \(uri)", data: ["uri": .string(uri)])
        }
        context.connection.subscribe(uri)
        return [:]
    }
}

/// `resources/unsubscribe` (session era).
struct UnsubscribeMethod: MethodHandler {
    static let name = "resources/unsubscribe"
    static let eras: Set<ProtocolEra.Kind> = [.session]

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let uri = params["uri"]?.stringValue else { throw RPCError.invalidParams("resources/unsubscribe needs a string \"uri\"") }
        context.connection.unsubscribe(uri)
        return [:]
    }
}

/// `subscriptions/listen` (2026-07-28): a long-lived request whose stream carries the notifications
/// the client opted in to, each tagged with the listen request's id. It ends when the client cancels
/// it (stdio notification or closed HTTP stream) or the server shuts down.
struct ListenMethod: MethodHandler {
    static let name = "subscriptions/listen"
    static let eras: Set<ProtocolEra.Kind> = [.stateless]

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let filter = params["notifications"]?.objectValue else {
            throw RPCError.invalidParams("subscriptions/listen needs a \"notifications\" filter object")
        }
        var accepted: JSONObject = [:]
        for key in ["toolsListChanged", "resourcesListChanged", "promptsListChanged"] where filter[key] == true {
            accepted[key] = true
        }
        var uris: Set<String> = []
        if let requested = filter["resourceSubscriptions"] {
            guard let list = requested.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw RPCError.invalidParams("resourceSubscriptions must be an array of URIs")
            }
            let acceptedURIs = list.compactMap(\.stringValue).filter { uri in
                context.server.resources.isSubscribable(uri)
                    && context.server.resources.scope(for: uri).map(context.principal.holds) == true
            }
            uris = Set(acceptedURIs)
            accepted["resourceSubscriptions"] = .array(acceptedURIs.map { .string($0) })
        }
        var taskIDs: Set<String> = []
        if let requested = filter["taskIds"] {
            guard let list = requested.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw RPCError.invalidParams("taskIds must be an array of task ids")
            }
            try context.requireTasksExtension(for: "subscriptions/listen with taskIds")
            var acceptedIDs: [String] = []
            if let backend = context.server.taskBackend.backend, context.principal.holds(Scope.tasksRead) {
                for id in list.compactMap(\.stringValue) where try await backend.task(id, owner: nil) != nil { acceptedIDs.append(id) }
            }
            taskIDs = Set(acceptedIDs)
            accepted["taskIds"] = .array(acceptedIDs.map { .string($0) })
        }
        let watchedTasks = taskIDs
        let wantsTools = accepted["toolsListChanged"] == true
        let wantsResources = accepted["resourcesListChanged"] == true
        let wantsPrompts = accepted["promptsListChanged"] == true
        let watched = uris
        let subscriptionMeta: JSONObject = [ProtocolVersion.MetaKey.subscriptionID: context.id.json]
        let (events, continuation) = AsyncStream.makeStream(of: ChangeEvent.self, bufferingPolicy: .bufferingNewest(256))
        let token = context.server.changes.subscribe { event in
            let wanted: Bool
            switch event {
            case .toolsListChanged: wanted = wantsTools
            case .resourcesListChanged: wanted = wantsResources
            case .promptsListChanged: wanted = wantsPrompts
            case .resourceUpdated(let uri): wanted = watched.contains(uri)
            case .taskUpdated(let id): wanted = watchedTasks.contains(id)
            }
            if wanted { continuation.yield(event) }
        }
        defer { context.server.changes.unsubscribe(token) }
        await context.stream.send(JSONRPCNotification(
            method: "notifications/subscriptions/acknowledged",
            params: ["notifications": .object(accepted), "_meta": .object(subscriptionMeta)]).json)
        for await event in events {
            if case .taskUpdated(let id) = event {
                // The full DetailedTask, read when delivered so that it is current.
                guard let task = try? await context.server.taskBackend.backend?.task(id, owner: nil) else { continue }
                var params = task.detailed
                params["_meta"] = .object(subscriptionMeta)
                await context.stream.send(JSONRPCNotification(method: "notifications/tasks", params: params).json)
                continue
            }
            await context.stream.send(event.notification(subscriptionID: context.id).json)
        }
        return ["_meta": .object(subscriptionMeta)]
    }
}
