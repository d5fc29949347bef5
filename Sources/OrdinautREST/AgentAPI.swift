import HTTPTypes
import Hummingbird
import OrdinautAccess
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautStore

/// `/agents` and `/agents/{id}/tokens`: agents and their tokens at run time, for administrators (the
/// access layer asks for `admin`). The same operations as `ordinaut agent|token` and the agent MCP
/// tools; a created token is in the answer once and never again.
public struct AgentAPI: Sendable {
    let service: AgentService
    let maxBodyBytes: Int

    public init(service: AgentService, maxBodyBytes: Int) {
        self.service = service
        self.maxBodyBytes = maxBodyBytes
    }

    public func addRoutes<Context: RequestContext & PrincipalCarrying>(to router: Router<Context>) {
        let service = self.service
        let now = service.store.clock
        router.get("/agents") { _, _ in
            await Self.answer { () throws(AgentError) in
                (.ok, ["items": .array(try await service.agents().map(\.json))])
            }
        }
        router.post("/agents") { request, context in
            await self.write(request, context) { body, actor throws(AgentError) in
                guard let name = body["name"]?.stringValue else { throw AgentError(.invalid, "name is required: the agent's name", field: "name") }
                guard let scopes = body["scopes"]?.arrayValue, scopes.allSatisfy({ $0.stringValue != nil }) else {
                    throw AgentError(.invalid, "scopes is required: an array of scope names such as [\"tasks:read\"]", field: "scopes")
                }
                return (.created, try await service.createAgent(name: name, scopes: scopes.compactMap(\.stringValue), actor: actor).json)
            }
        }
        router.get("/agents/:id") { _, context in
            await Self.answer { () throws(AgentError) in (.ok, try await service.agent(try Self.parameter(context, "id")).json) }
        }
        for (action, disabled) in [("disable", true), ("enable", false)] {
            router.post("/agents/:id/\(action)") { request, context in
                await self.write(request, context) { _, actor throws(AgentError) in
                    (.ok, try await service.setDisabled(try Self.parameter(context, "id"), disabled, actor: actor).json)
                }
            }
        }
        router.get("/agents/:id/tokens") { _, context in
            await Self.answer { () throws(AgentError) in
                let tokens = try await service.tokens(agent: try Self.parameter(context, "id"))
                let at = now()
                return (.ok, ["items": .array(tokens.map { $0.json(at: at) })])
            }
        }
        router.post("/agents/:id/tokens") { request, context in
            await self.write(request, context) { body, actor throws(AgentError) in
                if let label = body["label"], label.stringValue == nil, label != .null {
                    throw AgentError(.invalid, "label must be a string", field: "label")
                }
                var lifetime: Int64?
                if let expiresIn = body["expires_in"], expiresIn != .null {
                    guard let text = expiresIn.stringValue else {
                        throw AgentError(.invalid, "expires_in must be a duration such as \"30d\", \"12h\" or \"3600s\"", field: "expires_in")
                    }
                    lifetime = try AgentService.lifetimeSeconds(parsing: text)
                }
                let issued = try await service.createToken(agent: try Self.parameter(context, "id"), label: body["label"]?.stringValue,
                                                           lifetimeSeconds: lifetime, actor: actor)
                return (.created, issued.json(at: now()))
            }
        }
        router.post("/agents/:id/tokens/:token/revoke") { request, context in
            await self.write(request, context) { _, actor throws(AgentError) in
                let agent = try Self.parameter(context, "id")
                let token = try Self.parameter(context, "token")
                // A token is revoked through its own agent's path only.
                guard try await service.tokens(agent: agent).contains(where: { $0.id == token }) else {
                    throw AgentError(.notFound, "agent \(agent) has no token \(token)", field: "token")
                }
                return (.ok, try await service.revokeToken(token, actor: actor).json(at: now()))
            }
        }
    }

    private func write(_ request: Request, _ context: some PrincipalCarrying,
                       _ body: @Sendable (JSONObject, String) async throws(AgentError) -> (HTTPResponse.Status, JSONValue)) async -> Response {
        switch await WriteRequest.read(request, context, maxBodyBytes: maxBodyBytes) {
        case .failure(let refusal): return refusal.response
        case .success(let (principal, object)):
            return await Self.answer { () throws(AgentError) in try await body(object, principal.displayName) }
        }
    }

    private static func answer(_ body: () async throws(AgentError) -> (HTTPResponse.Status, JSONValue)) async -> Response {
        do throws(AgentError) {
            let (status, value) = try await body()
            return ErrorBody.json(status, value)
        } catch {
            switch error.kind {
            case .invalid:
                return ErrorBody.response(.unprocessableContent, "validation_error", error.message, details: error.field.map { ["field": .string($0)] })
            case .notFound: return ErrorBody.response(.notFound, "not_found", error.message)
            case .conflict: return ErrorBody.response(.conflict, "conflict", error.message)
            case .unavailable: return ErrorBody.response(.serviceUnavailable, "unavailable", error.message, headers: [.retryAfter: "5"])
            }
        }
    }

    static func parameter(_ context: some RequestContext, _ name: String) throws(AgentError) -> String {
        guard let value = context.parameters.get(name), !value.isEmpty, value.utf8.count <= 100 else {
            throw AgentError(.invalid, "the \(name) in the path is missing or too long", field: name)
        }
        return value
    }
}
