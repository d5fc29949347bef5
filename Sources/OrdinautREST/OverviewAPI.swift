import Hummingbird
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautScheduler
import OrdinautStore

/// What a dashboard and a task editor need besides the lists, creating nothing:
/// `GET /stats` (the overview figures), `POST /schedules/preview` (a schedule's next occurrences
/// with DST shifts marked, as the `schedule_preview` tool) and `POST /tasks/validate` (a task body
/// checked exactly as `POST /tasks` would check it). The access layer asks for `tasks:read`.
public struct OverviewAPI: Sendable {
    let service: TaskService
    let maxBodyBytes: Int
    /// The ids of extensions in error, from the extension host.
    let extensionsInError: @Sendable () -> [String]

    public init(service: TaskService, maxBodyBytes: Int, extensionsInError: @escaping @Sendable () -> [String]) {
        self.service = service
        self.maxBodyBytes = maxBodyBytes
        self.extensionsInError = extensionsInError
    }

    public func addRoutes<Context: RequestContext & PrincipalCarrying>(to router: Router<Context>) {
        router.get("/stats") { _, _ in
            do throws(StoreError) {
                return ErrorBody.json(.ok, try await service.overview(extensionsInError: extensionsInError()))
            } catch {
                return TaskAPI.response(for: error)
            }
        }
        router.post("/schedules/preview") { request, context in
            await self.check(request, context) { body, _ throws(InputError) in
                try ScheduleForecast.preview(body, now: service.store.clock())
            }
        }
        router.post("/tasks/validate") { request, context in
            await self.check(request, context) { body, principal throws(InputError) in
                service.validate(body, principal: principal)
            }
        }
    }

    private func check(_ request: Request, _ context: some PrincipalCarrying,
                       _ body: (JSONObject, Principal) throws(InputError) -> JSONValue) async -> Response {
        switch await WriteRequest.read(request, context, maxBodyBytes: maxBodyBytes) {
        case .failure(let refusal):
            return refusal.response
        case .success(let (principal, object)):
            do throws(InputError) {
                return ErrorBody.json(.ok, try body(object, principal))
            } catch {
                return TaskAPI.response(for: .invalid(error))
            }
        }
    }
}
