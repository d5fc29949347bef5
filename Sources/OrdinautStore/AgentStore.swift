import OrdinautCore

/// Agents and their tokens over a `SQLDatabase` (tables of migration 3). One implementation serves
/// SQLite and PostgreSQL; both pass the same contract suite.
///
/// Tokens are known here only by their SHA-256 digest: the caller makes the token and hands over its
/// digest and prefix, so no clear token ever reaches the store. Every change writes its audit line
/// (`agent.created`, `agent.disabled`, `agent.enabled`, `token.created`, `token.revoked`, with no
/// task) in the same transaction; recording a token's use (`touch`) does not.
public struct AgentStore: Sendable {
    public let database: any SQLDatabase
    /// Milliseconds since 1970.
    public let clock: @Sendable () -> Int64

    public init(database: any SQLDatabase, clock: @escaping @Sendable () -> Int64 = StoreCore.systemClock) {
        self.database = database
        self.clock = clock
    }

    /// The agents of `store`'s database, on its clock.
    public init(sharing store: TaskStore) {
        self.init(database: store.database, clock: store.clock)
    }

    static let agentColumns = "id, name, scopes, disabled, created_at, created_by"
    static let tokenColumns = "id, agent_id, prefix, label, created_at, expires_at, last_used_at, revoked_at"
    /// A token's columns, then its agent's (from offset 8).
    static let lookupColumns = """
        t.id, t.agent_id, t.prefix, t.label, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, \
        a.id, a.name, a.scopes, a.disabled, a.created_at, a.created_by
        """

    static func agent(from row: SQLRow, at o: Int = 0) -> AgentRecord {
        AgentRecord(id: row.text(o) ?? "", name: row.text(o + 1) ?? "", scopes: row.json(o + 2).arrayValue?.compactMap(\.stringValue) ?? [],
                    disabled: row.bool(o + 3) ?? false, createdAt: row.integer(o + 4) ?? 0, createdBy: row.text(o + 5) ?? "")
    }

    static func token(from row: SQLRow, at o: Int = 0) -> AgentTokenRecord {
        AgentTokenRecord(id: row.text(o) ?? "", agentID: row.text(o + 1) ?? "", prefix: row.text(o + 2) ?? "", label: row.text(o + 3),
                         createdAt: row.integer(o + 4) ?? 0, expiresAt: row.integer(o + 5), lastUsedAt: row.integer(o + 6),
                         revokedAt: row.integer(o + 7))
    }

    // MARK: Agents

    /// Stores a new agent, whose name and scopes the caller checked (`AgentService` does). The name
    /// must be unique (`conflict` otherwise); scopes are sorted and deduplicated.
    public func createAgent(name: String, scopes: [String], actor: String) async throws(StoreError) -> AgentRecord {
        let scopes = Array(Set(scopes)).sorted()
        let agent = AgentRecord(id: UUIDv7.make(), name: name, scopes: scopes, createdAt: clock(), createdBy: actor)
        return try await database.transaction { connection throws(StoreError) -> AgentRecord in
            let inserted = try connection.execute(
                "INSERT INTO agents (\(Self.agentColumns)) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING id",
                .text(agent.id), .text(agent.name), SQLValue(json: .array(scopes.map(JSONValue.string))), SQLValue(false),
                .integer(agent.createdAt), .text(actor))
            guard !inserted.isEmpty else { throw .conflict("an agent named '\(name)' already exists", field: "name") }
            try AuditLog.write(connection, at: agent.createdAt, actor: actor, action: "agent.created", task: nil,
                               details: ["agent_id": .string(agent.id), "name": .string(name), "scopes": .array(scopes.map(JSONValue.string))])
            return agent
        }
    }

    /// Every agent, by name.
    public func agents() async throws(StoreError) -> [AgentRecord] {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("SELECT \(Self.agentColumns) FROM agents ORDER BY name").map { Self.agent(from: $0) }
        }
    }

    /// The agent with this id, or else this name.
    public func agent(_ idOrName: String) async throws(StoreError) -> AgentRecord {
        try await database.transaction { connection throws(StoreError) in
            let rows = try connection.execute(
                "SELECT \(Self.agentColumns) FROM agents WHERE id = $1 OR name = $1 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END LIMIT 1",
                .text(idOrName))
            guard let row = rows.first else { throw .notFound("no agent with id or name '\(idOrName)'") }
            return Self.agent(from: row)
        }
    }

    /// Disables the agent `id` (its tokens are refused) or enables it again. Asking for the state it
    /// already has changes nothing and writes no audit line.
    @discardableResult
    public func setDisabled(_ id: String, _ disabled: Bool, actor: String) async throws(StoreError) -> AgentRecord {
        let now = clock()
        let forUpdate = database.dialect.name == "postgres" ? "FOR UPDATE" : ""
        return try await database.transaction { connection throws(StoreError) -> AgentRecord in
            guard let row = try connection.execute("SELECT \(Self.agentColumns) FROM agents WHERE id = $1 \(forUpdate)", .text(id)).first else {
                throw .notFound("no agent with id \(id)")
            }
            var agent = Self.agent(from: row)
            guard agent.disabled != disabled else { return agent }
            agent.disabled = disabled
            try connection.execute("UPDATE agents SET disabled = $1 WHERE id = $2", SQLValue(disabled), .text(id))
            try AuditLog.write(connection, at: now, actor: actor, action: disabled ? "agent.disabled" : "agent.enabled", task: nil,
                               details: ["agent_id": .string(id), "name": .string(agent.name)])
            return agent
        }
    }

    // MARK: Tokens

    /// Stores a token of the agent `agentID` by its SHA-256 `digest` (64 lowercase hex digits) and
    /// `prefix` (what lists show), both made by the caller with the token, as `AgentService` does;
    /// an empty label is none. A disabled agent gets no new token (`conflict`).
    public func createToken(agentID: String, digest: String, prefix: String, label: String?, expiresAt: Int64?,
                            actor: String) async throws(StoreError) -> AgentTokenRecord {
        let label = label.flatMap { $0.isEmpty ? nil : $0 }
        let now = clock()
        let token = AgentTokenRecord(id: UUIDv7.make(), agentID: agentID, prefix: prefix, label: label, createdAt: now, expiresAt: expiresAt)
        return try await database.transaction { connection throws(StoreError) -> AgentTokenRecord in
            guard let row = try connection.execute("SELECT \(Self.agentColumns) FROM agents WHERE id = $1", .text(agentID)).first else {
                throw .notFound("no agent with id \(agentID)")
            }
            let agent = Self.agent(from: row)
            guard !agent.disabled else { throw .conflict("agent '\(agent.name)' is disabled; enable it before giving it tokens") }
            try connection.execute(
                "INSERT INTO agent_tokens (id, agent_id, token_sha256, prefix, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                .text(token.id), .text(agentID), .text(digest), .text(prefix), SQLValue(label), .integer(now), SQLValue(expiresAt))
            try AuditLog.write(connection, at: now, actor: actor, action: "token.created", task: nil, details: [
                "agent_id": .string(agentID), "agent": .string(agent.name), "token_id": .string(token.id), "prefix": .string(prefix),
                "label": label.map(JSONValue.string) ?? .null, "expires_at": expiresAt.map(JSONValue.integer) ?? .null,
            ])
            return token
        }
    }

    /// The tokens of the agent `agentID`, revoked and expired ones included, oldest first.
    public func tokens(agentID: String) async throws(StoreError) -> [AgentTokenRecord] {
        try await database.transaction { connection throws(StoreError) in
            guard try !connection.execute("SELECT 1 FROM agents WHERE id = $1", .text(agentID)).isEmpty else {
                throw .notFound("no agent with id \(agentID)")
            }
            return try connection.execute("SELECT \(Self.tokenColumns) FROM agent_tokens WHERE agent_id = $1 ORDER BY id", .text(agentID))
                .map { Self.token(from: $0) }
        }
    }

    /// Revokes a token for good. Revoking a revoked token changes nothing and writes no audit line.
    @discardableResult
    public func revokeToken(_ tokenID: String, actor: String) async throws(StoreError) -> AgentTokenRecord {
        let now = clock()
        return try await database.transaction { connection throws(StoreError) -> AgentTokenRecord in
            let revoked = try connection.execute(
                "UPDATE agent_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING \(Self.tokenColumns)",
                .integer(now), .text(tokenID))
            guard let row = revoked.first else {
                guard let row = try connection.execute("SELECT \(Self.tokenColumns) FROM agent_tokens WHERE id = $1", .text(tokenID)).first else {
                    throw .notFound("no token with id \(tokenID)")
                }
                return Self.token(from: row)
            }
            let token = Self.token(from: row)
            try AuditLog.write(connection, at: now, actor: actor, action: "token.revoked", task: nil, details: [
                "agent_id": .string(token.agentID), "token_id": .string(tokenID), "prefix": .string(token.prefix),
                "label": token.label.map(JSONValue.string) ?? .null,
            ])
            return token
        }
    }

    /// The token with this SHA-256 digest and its agent, with the reason it is refused at `now` if
    /// it is; `nil` when no token has this digest.
    public func lookup(digest: String, now: Int64) async throws(StoreError) -> AgentTokenMatch? {
        try await database.autocommit { connection throws(StoreError) -> AgentTokenMatch? in
            guard let row = try connection.execute(
                "SELECT \(Self.lookupColumns) FROM agent_tokens t JOIN agents a ON a.id = t.agent_id WHERE t.token_sha256 = $1", .text(digest)
            ).first else { return nil }
            return AgentTokenMatch(token: Self.token(from: row), agent: Self.agent(from: row, at: 8), now: now)
        }
    }

    /// Records that the token was accepted at `at` (never moving `last_used_at` back). Callers
    /// throttle it: it is a write per call.
    public func touch(tokenID: String, at: Int64) async throws(StoreError) {
        try await database.autocommit { connection throws(StoreError) in
            try connection.execute(
                "UPDATE agent_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
                .integer(at), .text(tokenID))
        }
    }
}
