import OrdinautStore

/// A token just created: the only value that ever holds it in clear. Show `token` once to whoever
/// asked for it; it cannot be shown again, since only its digest is stored.
public struct IssuedAgentToken: Sendable {
    /// `ordn_…`, to be presented as `Authorization: Bearer <token>`.
    public let token: String
    public let record: AgentTokenRecord
    /// The agent it belongs to.
    public let agent: AgentRecord

    /// What every surface says next to the token.
    public static let warning = "Store this token now: it is shown only once and cannot be recovered. Revoke it and create another if it is lost."
}
