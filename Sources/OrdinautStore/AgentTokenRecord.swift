/// A token of an agent as stored (`agent_tokens`): its SHA-256 digest is kept but not carried here,
/// and the token itself is never stored anywhere.
public struct AgentTokenRecord: Sendable, Equatable {
    /// A UUIDv7; what `revokeToken` takes.
    public var id: String
    public var agentID: String
    /// The start of the token (its marker and first characters), to recognise it in lists.
    public var prefix: String
    public var label: String?
    /// Milliseconds since 1970, like every time below.
    public var createdAt: Int64
    /// When it stops being accepted; `nil`: never.
    public var expiresAt: Int64?
    /// When it was last accepted, recorded at most about once a minute.
    public var lastUsedAt: Int64?
    /// When it was revoked; a revoked token is refused for good.
    public var revokedAt: Int64?

    public init(id: String, agentID: String, prefix: String, label: String? = nil, createdAt: Int64, expiresAt: Int64? = nil,
                lastUsedAt: Int64? = nil, revokedAt: Int64? = nil) {
        self.id = id
        self.agentID = agentID
        self.prefix = prefix
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether it is accepted at `now` as far as the token goes (its agent may still be disabled).
    public func isUsable(at now: Int64) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}
