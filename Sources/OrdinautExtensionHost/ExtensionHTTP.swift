import Foundation
import HTTPTypes
import Hummingbird
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautExtensionKit
import Synchronization

extension ExtensionHost {
    /// Adds `GET /ext/status`, `GET /extensions`, `GET /tools` and the `/ext/<id>/…` mount points.
    public func addRoutes(to router: Router<ExtensionRequestContext>) {
        router.add(middleware: ExtensionMountMiddleware(host: self))
        router.get("/ext/status") { _, _ in ErrorBody.json(.ok, self.status()) }
        router.get("/extensions") { _, _ in ErrorBody.json(.ok, self.extensionList()) }
        router.get("/tools") { _, _ in ErrorBody.json(.ok, self.toolList()) }
        // The seed's second address of the observability extension's metrics.
        router.get("/metrics") { request, context in
            var head = request.head
            head.path = "/ext/observability/metrics" + (request.uri.query.map { "?" + $0 } ?? "")
            return try await self.serve(Request(head: head, body: request.body), context, id: "observability", rest: "/metrics")
        }
    }

    /// The mount points alone, for the router that decides WebSocket upgrades.
    public func addWebSocketRoutes(to router: Router<ExtensionRequestContext>) {
        router.add(middleware: ExtensionMountMiddleware(host: self))
    }

    /// Serves a request below `/ext/<id>`: health, activation, then the extension. The access layer
    /// in front has already checked the route scope (`ext:<id>:routes`).
    func serve(_ request: Request, _ context: ExtensionRequestContext, id: String, rest: Substring) async throws -> Response {
        guard let record = record(id) else {
            return ErrorBody.response(.notFound, "not_found", "no extension \"\(id)\" is loaded",
                                      details: ["available": .array(order.map { .string($0) })])
        }
        if rest == "/health" && request.method == .get { return ErrorBody.json(.ok, health(record)) }
        // Static files need no activation: they are the folder's, not the program's.
        if rest == "/static" || rest.hasPrefix("/static/"), let files = staticFiles(record) {
            guard let path = StaticPath(raw: rest.dropFirst("/static".count)) else {
                return ErrorBody.response(.notFound, "not_found", "extension \"\(id)\" has no static file \(request.uri.path)")
            }
            let maxBytes = configuration.staticMaxFileBytes
            return StaticResponse.make(files.file(path, maxBytes: maxBytes), request: request.head, extensionID: id, maxBytes: maxBytes)
        }
        let clock = ContinuousClock()
        let began = clock.now
        var failed = true
        defer {
            let elapsed = clock.now - began
            record.recordRequest(milliseconds: elapsed.seconds * 1000,
                                 failed: failed)
        }
        switch await activate(record) {
        case .failed(let failure):
            return ErrorBody.response(.serviceUnavailable, "extension_error", "extension \"\(id)\" could not be activated",
                                      details: failure.json)
        case .stopped:
            return ErrorBody.response(.serviceUnavailable, "extension_stopped", "extension \"\(id)\" has stopped")
        case .lazy, .activating, .active:
            break
        }
        guard let responder = record.state.withLock({ $0.responder }) else {
            return ErrorBody.response(.notFound, "not_found", "extension \"\(id)\" serves no routes",
                                      details: ["granted": .array(record.granted.sorted().map { .string($0.rawValue) })])
        }
        let response: Response
        do {
            response = try await responder(request, context)
        } catch let error as any HTTPResponseError {
            response = Response(status: error.status)
        }
        failed = response.status.code >= 500
        // A bare status (an unmatched route, a thrown HTTPError) gets the seed's error body.
        guard response.body.contentLength == 0, response.status.code >= 400 else { return response }
        return ErrorBody.response(response.status, response.status == .notFound ? "not_found" : "http_error",
                                  response.status == .notFound ? "extension \"\(id)\" has no route \(request.method.rawValue) \(request.uri.path)"
                                      : "extension \"\(id)\" answered \(response.status.code) \(response.status.reasonPhrase)")
    }

    /// Where `record`'s static files come from, when it was granted `STATIC`: its folder, or for a
    /// built-in the files compiled in; a compiled extension of a custom build has neither.
    func staticFiles(_ record: ExtensionRecord) -> StaticFiles? {
        guard record.granted.contains(.staticFiles) else { return nil }
        if let directory = record.directory { return .folder(directory + "/static") }
        if record.source == .builtIn { return .embedded(id: record.id) }
        return nil
    }

    // MARK: Documents

    /// The extensions that failed, in discovery order (for `GET /stats`).
    public func failedExtensions() -> [String] {
        order.filter { if case .failed = records[$0]!.phase { true } else { false } }
    }

    /// Whether extension `id` was discovered and enabled.
    public func isLoaded(_ id: String) -> Bool { records[id] != nil }

    func health(_ record: ExtensionRecord) -> JSONValue {
        let phase = record.phase
        var object: JSONObject = ["id": .string(record.id), "state": .string(phase.name)]
        object["healthy"] = .bool(!(phase.name == "error" || phase.name == "stopped"))
        if case .failed(let failure) = phase { object["error"] = failure.json }
        let tasks = supervisor.list(owner: record.id)
        if !tasks.isEmpty { object["background_tasks"] = .array(tasks.map(\.json)) }
        if let subprocess = record.state.withLock({ $0.subprocess }) { object["process"] = subprocess.status }
        return .object(object)
    }

    /// The `GET /ext/status` document.
    public func status() -> JSONValue {
        var extensions: JSONObject = [:]
        var totals: [String: Int64] = ["discovered": Int64(records.count), "active": 0, "lazy": 0, "activating": 0, "error": 0, "stopped": 0]
        for id in order {
            let record = records[id]!
            let snapshot = record.state.withLock { $0 }
            totals[snapshot.phase.name, default: 0] += 1
            var entry: JSONObject = [
                "state": .string(snapshot.phase.name),
                "info": info(record),
                "source": .string(record.source.rawValue),
                "kind": .string(record.kindName),
                "eager": .bool(record.eager),
                "capabilities": [
                    "requested": .array(record.requested.sorted().map { .string($0.rawValue) }),
                    "granted": .array(record.granted.sorted().map { .string($0.rawValue) }),
                ],
                "loaded_ms": snapshot.loadedMilliseconds.map { .number($0) } ?? .null,
                "mount_path": .string("/ext/\(id)"),
                "metrics": [
                    "requests": .integer(Int64(snapshot.metrics.requests)),
                    "errors": .integer(Int64(snapshot.metrics.errors)),
                    "avg_latency_ms": .number(snapshot.metrics.requests == 0 ? 0 : snapshot.metrics.totalMilliseconds / Double(snapshot.metrics.requests)),
                    "max_latency_ms": .number(snapshot.metrics.maxMilliseconds),
                ],
                "tools": .array((snapshot.tools.union(snapshot.placeholders)).sorted().map { .string($0) }),
            ]
            if let directory = record.directory { entry["path"] = .string(directory) }
            if case .failed(let failure) = snapshot.phase { entry["error"] = failure.json }
            let subscriptions = snapshot.subscriptions.filter { !$0.subscription.isCancelled }.map { item -> JSONValue in
                let counters = item.subscription.snapshot
                return ["pattern": .string(item.subscription.pattern.text), "delivered": .integer(Int64(counters.delivered)),
                        "failed": .integer(Int64(counters.failed)), "dropped": .integer(Int64(counters.dropped))]
            }
            if !subscriptions.isEmpty { entry["subscriptions"] = .array(subscriptions) }
            let tasks = supervisor.list(owner: id)
            if !tasks.isEmpty { entry["background_tasks"] = .array(tasks.map(\.json)) }
            if let subprocess = snapshot.subprocess { entry["process"] = subprocess.status }
            extensions[id] = .object(entry)
        }
        totals["problems"] = Int64(problems.count)
        return [
            "extensions": .object(extensions),
            "discovery": [
                "sources": .array(sources),
                "problems": .array(problems.map { ["origin": .string($0.origin), "message": .string($0.message)] }),
            ],
            "events": ["backend": .string(bus.backend)],
            "totals": .object(JSONObject(totals.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.integer($0.value)) })),
            "uptime_seconds": .number(Date().timeIntervalSince(started)),
        ]
    }

    private func info(_ record: ExtensionRecord) -> JSONValue {
        var object: JSONObject = ["id": .string(record.info.id), "name": .string(record.info.name), "version": .string(record.info.version)]
        if let description = record.info.description { object["description"] = .string(description) }
        return .object(object)
    }

    func extensionList() -> JSONValue {
        .array(order.map { id in
            let record = records[id]!
            var object = info(record).objectValue!
            object["state"] = .string(record.phase.name)
            object["kind"] = .string(record.kindName)
            object["mount_path"] = .string("/ext/\(id)")
            object["capabilities"] = .array(record.granted.sorted().map { .string($0.rawValue) })
            return .object(object)
        })
    }

    func toolList() -> JSONValue {
        let owners: [String: String] = records.values.reduce(into: [:]) { owners, record in
            let names = record.state.withLock { $0.tools.union($0.placeholders) }
            for name in names { owners[name] = record.id }
        }
        return ["tools": .array(server.tools.descriptors().map { item in
            var object = item.descriptor.objectValue ?? [:]
            object["name"] = .string(item.name)
            object["wire_name"] = .string(item.wireName)
            object["extension"] = owners[item.name].map { .string($0) } ?? .null
            return .object(object)
        })]
    }
}

/// Sends `/ext/<id>` and everything below it to the extension host; `/ext/status` stays a route.
struct ExtensionMountMiddleware: RouterMiddleware {
    typealias Context = ExtensionRequestContext
    let host: ExtensionHost

    func handle(_ request: Request, context: ExtensionRequestContext,
                next: @concurrent (Request, ExtensionRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/ext/") else { return try await next(request, context) }
        let tail = path.dropFirst(5)
        let id = tail.prefix { $0 != "/" }
        guard !id.isEmpty, id != "status" else { return try await next(request, context) }
        return try await host.serve(request, context, id: String(id), rest: tail.dropFirst(id.count))
    }
}
