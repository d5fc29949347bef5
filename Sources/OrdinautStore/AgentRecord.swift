/// An agent: a named holder of scopes that authenticates with tokens of its own (`agents`).
public struct AgentRecord: Sendable, Equatable {
    /// A UUIDv7.
    public var id: String
    /// Unique; 1–64 characters of `A–Z a–z 0–9 _ . -`.
    public var name: String
    /// What its tokens may do, sorted and without duplicates.
    public var scopes: [String]
    /// A disabled agent's tokens are refused; enabling it again makes them good again.
    public var disabled: Bool
    /// Milliseconds since 1970.
    public var createdAt: Int64
    /// The actor that created it, as written in the audit log.
    public var createdBy: String

    public init(id: String, name: String, scopes: [String], disabled: Bool = false, createdAt: Int64, createdBy: String) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.disabled = disabled
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}
