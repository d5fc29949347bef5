import OrdinautAuth
import OrdinautCore
import OrdinautStore

/// The operations on agents and their tokens that every surface offers — MCP tools, the REST API,
/// the CLI — with the same checks and the same errors. Agents are named by id or by name.
public final class AgentService: Sendable {
    public let store: AgentStore

    public init(store: AgentStore) {
        self.store = store
    }

    /// The longest lifetime a token may be given: ten years, in seconds.
    public static let maxLifetimeSeconds: Int64 = 3650 * 86_400

    public func createAgent(name: String, scopes: [String], actor: String) async throws(AgentError) -> AgentRecord {
        try checking { () throws(InputError) in
            try AgentInput.checkName(name)
            try AgentInput.checkScopes(scopes)
        }
        return try await storing { () throws(StoreError) in try await store.createAgent(name: name, scopes: scopes, actor: actor) }
    }

    /// Every agent, by name.
    public func agents() async throws(AgentError) -> [AgentRecord] {
        try await storing { () throws(StoreError) in try await store.agents() }
    }

    public func agent(_ idOrName: String) async throws(AgentError) -> AgentRecord {
        try await storing { () throws(StoreError) in try await store.agent(idOrName) }
    }

    /// Disables an agent (every token of it is refused within the authenticator's revocation delay)
    /// or, with `false`, enables it again.
    public func setDisabled(_ idOrName: String, _ disabled: Bool, actor: String) async throws(AgentError) -> AgentRecord {
        try await storing { () throws(StoreError) in
            let agent = try await store.agent(idOrName)
            return try await store.setDisabled(agent.id, disabled, actor: actor)
        }
    }

    /// Creates a token for an agent, valid for `lifetimeSeconds` (or until revoked, when `nil`). The
    /// result is the one place the token exists in clear.
    public func createToken(agent idOrName: String, label: String?, lifetimeSeconds: Int64?, actor: String) async throws(AgentError) -> IssuedAgentToken {
        if let lifetimeSeconds, !(1...Self.maxLifetimeSeconds).contains(lifetimeSeconds) {
            throw AgentError(.invalid, "a token lives between 1 second and \(Self.maxLifetimeSeconds / 86_400) days", field: "expires_in")
        }
        try checking { () throws(InputError) in try AgentInput.checkLabel(label) }
        let token = AgentTokenFormat.generate()
        return try await storing { () throws(StoreError) in
            let agent = try await store.agent(idOrName)
            let expiresAt = lifetimeSeconds.map { store.clock() + $0 * 1000 }
            let record = try await store.createToken(agentID: agent.id, digest: TokenDigest.hex(of: token),
                                                     prefix: AgentTokenFormat.displayPrefix(of: token), label: label,
                                                     expiresAt: expiresAt, actor: actor)
            return IssuedAgentToken(token: token, record: record, agent: agent)
        }
    }

    /// The tokens of an agent, revoked and expired ones included, oldest first.
    public func tokens(agent idOrName: String) async throws(AgentError) -> [AgentTokenRecord] {
        try await storing { () throws(StoreError) in
            try await store.tokens(agentID: try await store.agent(idOrName).id)
        }
    }

    /// Revokes a token for good (refused everywhere within the authenticator's revocation delay).
    public func revokeToken(_ tokenID: String, actor: String) async throws(AgentError) -> AgentTokenRecord {
        try await storing { () throws(StoreError) in try await store.revokeToken(tokenID, actor: actor) }
    }

    /// Reads a lifetime as the CLI writes it: a number followed by `d` (days), `h` (hours), `m`
    /// (minutes) or `s` (seconds), such as `30d`, `12h` or `3600s`; returns seconds.
    public static func lifetimeSeconds(parsing text: String) throws(AgentError) -> Int64 {
        let units: [Character: Int64] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0,
              count <= maxLifetimeSeconds / unit else {
            throw AgentError(.invalid, "'\(text.prefix(40))' is not a lifetime: write a positive number and a unit, such as 30d, 12h, 90m or 3600s, of at most \(maxLifetimeSeconds / 86_400)d",
                             field: "expires_in")
        }
        return count * unit
    }

    private func checking(_ body: () throws(InputError) -> Void) throws(AgentError) {
        do throws(InputError) {
            try body()
        } catch {
            throw AgentError(error)
        }
    }

    private func storing<T>(_ body: () async throws(StoreError) -> T) async throws(AgentError) -> T {
        do throws(StoreError) {
            return try await body()
        } catch {
            throw AgentError(error)
        }
    }
}
