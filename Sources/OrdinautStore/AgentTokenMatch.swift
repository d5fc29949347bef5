/// What `AgentStore.lookup(digest:now:)` found for a token's digest: the token and its agent, and
/// why the token is refused, if it is.
public struct AgentTokenMatch: Sendable, Equatable {
    /// Why a stored token is not accepted.
    public enum Refusal: String, Sendable, Equatable, CustomStringConvertible {
        /// `revokeToken` was called on it.
        case revoked
        /// Its `expires_at` has passed.
        case expired
        /// Its agent is disabled.
        case agentDisabled = "agent_disabled"

        public var description: String {
            switch self {
            case .revoked: "the token was revoked"
            case .expired: "the token has expired"
            case .agentDisabled: "the token's agent is disabled"
            }
        }
    }

    public var token: AgentTokenRecord
    public var agent: AgentRecord
    /// `nil` when the token is accepted. A revoked token says so even if it has also expired.
    public var refusal: Refusal?

    public init(token: AgentTokenRecord, agent: AgentRecord, now: Int64) {
        self.token = token
        self.agent = agent
        if token.revokedAt != nil {
            refusal = .revoked
        } else if let expiresAt = token.expiresAt, expiresAt <= now {
            refusal = .expired
        } else if agent.disabled {
            refusal = .agentDisabled
        } else {
            refusal = nil
        }
    }
}
