import Hummingbird
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautScheduler
import OrdinautStore

/// `GET /audit`: the audit log, newest first, for administrators (the access layer asks for `admin`).
/// Filters: `actor`, `action` (exact, or a prefix ending in `.` such as `token.`), `task_id`,
/// `since` (milliseconds since the epoch), `before` (an entry id, to page back), `limit` (1–1000).
public struct AuditAPI: Sendable {
    let audit: AuditLog

    public init(audit: AuditLog) {
        self.audit = audit
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/audit") { request, _ in
            do throws(TaskServiceError) {
                let query = TaskAPI.Query(request.uri.queryParameters)
                let filter = AuditLog.Filter(
                    actor: query.text("actor"), action: query.text("action"), taskId: query.text("task_id"),
                    since: try query.integer("since", 0...Int(Int64.max / 2)).map(Int64.init),
                    before: try query.integer("before", 1...Int(Int64.max / 2)).map(Int64.init),
                    limit: try query.integer("limit", 1...1000) ?? 100)
                let page = try await TaskServiceError.storing { () throws(StoreError) in try await audit.search(filter) }
                return ErrorBody.json(.ok, [
                    "items": .array(page.items.map(\.json)), "has_more": .bool(page.hasMore),
                    "count": .integer(Int64(page.items.count)),
                ])
            } catch {
                return TaskAPI.response(for: error)
            }
        }
    }
}
