import Foundation

/// What an accepted access token says about its bearer: read from a verified JWT (RFC 9068) or from
/// an introspection response (RFC 7662).
public struct AccessTokenClaims: Sendable, Hashable {
    /// `sub`: the resource owner, or the client itself for a client-credentials grant. Always present
    /// in a JWT access token; an introspection response may omit it (see ``clientID``).
    public let subject: String?
    /// `client_id`: the client the token was issued to.
    public let clientID: String?
    /// `iss`; always present and equal to the configured issuer for a JWT.
    public let issuer: String?
    /// `aud`, as a list even when the token carried one string.
    public let audiences: [String]
    /// `exp`; always present for a JWT.
    public let expiresAt: Date?
    /// `nbf`, if present.
    public let notBefore: Date?
    /// `iat`, if present.
    public let issuedAt: Date?
    /// `jti`, if present.
    public let tokenID: String?
    /// The granted scopes, from `scope` (or `scp`).
    public let scopes: [String]

    /// A set of claims; the validators build these, tests and other authenticators may too.
    public init(
        subject: String?, clientID: String?, issuer: String?, audiences: [String], expiresAt: Date?,
        notBefore: Date? = nil, issuedAt: Date? = nil, tokenID: String? = nil, scopes: [String]
    ) {
        self.subject = subject
        self.clientID = clientID
        self.issuer = issuer
        self.audiences = audiences
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.tokenID = tokenID
        self.scopes = scopes
    }

    /// Who the bearer is to Ordinaut: `oauth:<sub>`, named by `sub`.
    ///
    /// Without a `sub` (possible only for an introspected token) the client acts for itself:
    /// `oauth-client:<client_id>`, a prefix of its own so that no `sub` can spell the same subject as
    /// a client. `nil` when there is neither.
    public var principal: Principal? {
        if let subject {
            return Principal(subject: "oauth:" + subject, displayName: subject, scopes: ScopeSet(scopes), method: .oauth)
        }
        if let clientID {
            return Principal(subject: "oauth-client:" + clientID, displayName: clientID, scopes: ScopeSet(scopes), method: .oauth)
        }
        return nil
    }
}
