import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautScheduler
import OrdinautStore
import OrdinautHTTPCommon

/// The REST API of the original, with its paths and field names, over the same operations as the
/// MCP tools: tasks and their actions, runs, approvals, events, and health that tells the truth.
/// Errors use the seed's body, `{"error", "message", "details"}`: 422 for invalid input (naming the
/// field), 404, 409 for a conflicting state, 503 while the database is unreachable.
///
/// Scopes are checked by the access layer in front (`AccessPolicy`: reads `tasks:read`, writes
/// `tasks:write`, approvals `runs:approve`, events `events:publish`); the principal it settled on is
/// the actor of every change.
public struct TaskAPI: Sendable {
    let service: TaskService
    let maxBodyBytes: Int

    public init(service: TaskService, maxBodyBytes: Int) {
        self.service = service
        self.maxBodyBytes = maxBodyBytes
    }

    public func addRoutes<Context: RequestContext & PrincipalCarrying>(to router: Router<Context>) {
        router.get("/health") { _, _ in await self.health(ready: false) }
        router.get("/health/ready") { _, _ in await self.health(ready: true) }
        router.get("/health/live") { _, _ in ErrorBody.json(.ok, ["status": "ok"]) }

        router.post("/tasks") { request, context in
            await self.write(request, context) { body, principal throws(TaskServiceError) in
                (.created, try await service.create(body, principal: principal).json)
            }
        }
        router.get("/tasks") { request, _ in
            await self.read(request) { query throws(TaskServiceError) in
                let text = query.text("q")
                if let text, text.isEmpty || text.utf8.count > 200 { throw .invalid("q must be 1 to 200 bytes of text", field: "q") }
                let page = try await service.tasks(TaskRepository.Filter(
                    status: try query.enumeration("status", TaskStatus.self), createdBy: query.text("created_by"),
                    scheduleKind: try query.enumeration("schedule_kind", ScheduleKind.self), text: text,
                    after: try query.cursor(kind: "task"),
                    limit: try query.integer("limit", 1...500) ?? 50, offset: try query.offset()))
                return Self.page(page.items.map(\.json), page)
            }
        }
        router.get("/tasks/:id") { request, context in
            await self.read(request) { _ throws(TaskServiceError) in try await service.task(id: try Self.id(context)).json }
        }
        router.patch("/tasks/:id") { request, context in
            await self.write(request, context) { body, principal throws(TaskServiceError) in
                (.ok, try await service.update(id: try Self.id(context), patch: body, principal: principal).json)
            }
        }
        router.get("/tasks/:id/audit") { request, context in
            await self.read(request) { query throws(TaskServiceError) in
                let id = try Self.id(context)
                _ = try await service.task(id: id)
                let limit = try query.integer("limit", 1...1000) ?? 200
                let entries = try await TaskServiceError.storing { () throws(StoreError) in try await service.store.audit.entries(taskId: id, limit: limit) }
                return ["items": .array(entries.map(\.json))]
            }
        }
        router.post("/tasks/:id/run_now") { request, context in
            await self.write(request, context) { _, principal throws(TaskServiceError) in
                let due = try await service.runNow(id: try Self.id(context), actor: principal.displayName)
                return (.accepted, due.map { ["queued": true, "due_id": .integer($0)] } ?? ["queued": false, "reason": "suppressed by the task's dedupe key"])
            }
        }
        router.post("/tasks/:id/snooze") { request, context in
            await self.write(request, context) { body, principal throws(TaskServiceError) in
                guard let seconds = (body["seconds"] ?? body["delay_seconds"])?.integerValue else {
                    throw .invalid("seconds is required: an integer from 1 to 604800", field: "seconds")
                }
                return (.ok, try await service.snooze(id: try Self.id(context), seconds: Int(clamping: seconds), actor: principal.displayName).json)
            }
        }
        for (action, operation) in [
            ("pause", service.pause), ("resume", service.resume), ("cancel", service.cancel),
        ] as [(String, @Sendable (String, String) async throws(TaskServiceError) -> TaskRecord)] {
            router.post("/tasks/:id/\(action)") { request, context in
                await self.write(request, context) { _, principal throws(TaskServiceError) in (.ok, try await operation(try Self.id(context), principal.displayName).json) }
            }
        }

        router.get("/runs") { request, _ in
            await self.read(request) { query throws(TaskServiceError) in
                let page = try await service.runs(WorkQueue.RunFilter(
                    taskId: query.text("task_id"), status: try query.enumeration("status", RunStatus.self),
                    createdSince: try query.instant("since"), createdBefore: try query.instant("until"),
                    after: try query.cursor(kind: "run"),
                    limit: try query.integer("limit", 1...500) ?? 50, offset: try query.offset()))
                return Self.page(page.items.map(\.json), page)
            }
        }
        router.get("/runs/:id") { request, context in
            await self.read(request) { _ throws(TaskServiceError) in try await service.runDetail(id: try Self.id(context)) }
        }
        router.post("/runs/:id/approve") { request, context in
            await self.write(request, context) { body, principal throws(TaskServiceError) in
                guard let approved = body["approved"]?.boolValue else {
                    throw .invalid("approved is required: true to continue the run, false to end it", field: "approved")
                }
                if let comment = body["comment"], comment.stringValue == nil, comment != .null {
                    throw .invalid("comment must be a string", field: "comment")
                }
                return (.ok, try await service.approve(runId: try Self.id(context), approved: approved,
                                                       comment: body["comment"]?.stringValue, actor: principal.displayName).json)
            }
        }
        router.post("/runs/:id/cancel") { request, context in
            await self.write(request, context) { _, principal throws(TaskServiceError) in (.ok, try await service.cancelRun(id: try Self.id(context), actor: principal.displayName).json) }
        }
        router.post("/events") { request, context in
            await self.write(request, context) { body, principal throws(TaskServiceError) in
                guard let topic = body["topic"]?.stringValue else { throw .invalid("topic is required: the event's name", field: "topic") }
                let (event, triggered) = try await service.publish(topic: topic, payload: body["payload"] ?? .null, actor: principal.displayName)
                return (.accepted, [
                    "event_id": .string(event.id), "stream": .string(event.stream),
                    "triggered_task_ids": .array(triggered.map(JSONValue.string)),
                ])
            }
        }
    }

    // MARK: Plumbing

    private func health(ready: Bool) async -> Response {
        do throws(StoreError) {
            try await service.store.database.probe()
            let counts = try await service.store.queue.counts()
            return ErrorBody.json(.ok, [
                "status": ready ? "ready" : "ok", "database": .string(service.store.database.dialect.name),
                "due": .integer(Int64(counts.due)), "running": .integer(Int64(counts.running)),
                "waiting_approval": .integer(Int64(counts.waiting)), "dead_letters": .integer(Int64(counts.dead)),
            ])
        } catch {
            return ErrorBody.response(.serviceUnavailable, "unavailable", "the database cannot be read: \(error.message)",
                                      details: ["status": "unhealthy", "database": .string(service.store.database.dialect.name)],
                                      headers: [.retryAfter: "5"])
        }
    }

    private func read(_ request: Request, _ body: @Sendable (Query) async throws(TaskServiceError) -> JSONValue) async -> Response {
        do throws(TaskServiceError) {
            return ErrorBody.json(.ok, try await body(Query(request.uri.queryParameters)))
        } catch {
            return Self.response(for: error)
        }
    }

    private func write(_ request: Request, _ context: some PrincipalCarrying,
                       _ body: @Sendable (JSONObject, Principal) async throws(TaskServiceError) -> (HTTPResponse.Status, JSONValue)) async -> Response {
        let principal: Principal
        let object: JSONObject
        switch await WriteRequest.read(request, context, maxBodyBytes: maxBodyBytes) {
        case .success(let read): (principal, object) = read
        case .failure(let refusal): return refusal.response
        }
        do throws(TaskServiceError) {
            let (status, result) = try await body(object, principal)
            return ErrorBody.json(status, result)
        } catch {
            return Self.response(for: error)
        }
    }

    /// The seed's error body for `error`: 422 naming the field for invalid input, else the store's.
    static func response(for error: TaskServiceError) -> Response {
        switch error {
        case .invalid(let error):
            return ErrorBody.response(.unprocessableContent, "validation_error", error.message,
                                      details: error.field.map { ["field": .string($0)] })
        case .store(let error): return response(for: error)
        }
    }

    /// The seed's error body for a store failure: 404, 409 or 503.
    static func response(for error: StoreError) -> Response {
        switch error.kind {
        case .notFound: return ErrorBody.response(.notFound, "not_found", error.message)
        case .conflict: return ErrorBody.response(.conflict, "conflict", error.message)
        case .unavailable:
            return ErrorBody.response(.serviceUnavailable, "unavailable", error.message, headers: [.retryAfter: "5"])
        }
    }

    static func id(_ context: some RequestContext) throws(TaskServiceError) -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.utf8.count <= 100 else { throw .invalid("the id in the path is missing or too long", field: "id") }
        return id
    }

    static func page<Item>(_ items: [JSONValue], _ page: Page<Item>) -> JSONValue {
        ["items": .array(items), "has_more": .bool(page.hasMore), "count": .integer(Int64(items.count)),
         "next_cursor": page.nextCursor.map { .string($0.token) } ?? .null]
    }

    /// Query parameters, each checked with an error naming it.
    struct Query: Sendable {
        let parameters: [String: String]

        init(_ parameters: Hummingbird.Parameters) {
            var values: [String: String] = [:]
            for (key, value) in parameters { values[String(key)] = String(value) }
            self.parameters = values
        }

        func text(_ name: String) -> String? { parameters[name] }

        func integer(_ name: String, _ range: ClosedRange<Int>) throws(TaskServiceError) -> Int? {
            guard let text = parameters[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw .invalid("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
            }
            return value
        }

        /// `cursor`: a `next_cursor` this server issued for the same listing.
        func cursor(kind: String) throws(TaskServiceError) -> ListCursor? {
            guard let text = parameters["cursor"] else { return nil }
            guard let cursor = ListCursor(token: text, kind: kind) else {
                throw .invalid("cursor is not a next_cursor of this \(kind) listing; start again without it", field: "cursor")
            }
            guard parameters["offset"] == nil else { throw .invalid("give cursor or offset, not both", field: "offset") }
            return cursor
        }

        /// `offset`, kept for clients written before cursors.
        func offset() throws(TaskServiceError) -> Int { try integer("offset", 0...Int(Int32.max)) ?? 0 }

        /// `name` as an ISO-8601 time, in milliseconds since 1970.
        func instant(_ name: String) throws(TaskServiceError) -> Int64? {
            guard let text = parameters[name] else { return nil }
            return try TaskServiceError.checking { () throws(InputError) in try ScheduleForecast.instant(text, field: name) }
        }

        func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws(TaskServiceError) -> E? where E.RawValue == String {
            guard let text = parameters[name] else { return nil }
            guard let value = E(rawValue: text) else {
                throw .invalid("\(name) must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))", field: name)
            }
            return value
        }
    }
}
