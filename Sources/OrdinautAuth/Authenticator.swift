/// What a client presented to prove who it is.
public enum Credential: Sendable, Equatable {
    /// An `Authorization: Bearer …` token (the token only).
    case bearer(String)
    /// A trusted proxy's secret (`X-Ordinaut-Proxy-Secret`), the user it authenticated
    /// (`X-Ordinaut-User`) and that user's scopes (`X-Scopes`).
    case proxy(secret: String, user: String?, scopes: String)
}

/// What one authenticator made of a credential.
public enum AuthenticationResult: Sendable, Equatable {
    /// The credential is good: this is who presented it.
    case authenticated(Principal)
    /// Not a credential of this kind; the next authenticator may know it.
    case unrecognized
    /// A credential of this kind that must not be accepted (expired, revoked, forged, wrong audience).
    /// The reason is for the log and the `WWW-Authenticate` description, never a secret.
    case rejected(String)
    /// The credential cannot be checked now (the identity provider is unreachable): 503, not 401.
    case unavailable(String)
}

/// One kind of credential check: the tokens file, stored agent tokens, OAuth access tokens.
public protocol Authenticator: Sendable {
    /// A short name for logs and metrics (`tokens_file`, `agent_token`, `oauth`).
    var name: String { get }
    func authenticate(_ credential: Credential) async -> AuthenticationResult
}

/// The authenticators of a process, asked in order; the first that recognizes a credential decides.
public struct AuthenticatorChain: Sendable {
    public let authenticators: [any Authenticator]

    public init(_ authenticators: [any Authenticator]) {
        self.authenticators = authenticators
    }

    public var isEmpty: Bool { authenticators.isEmpty }

    public func authenticate(_ credential: Credential) async -> AuthenticationResult {
        for authenticator in authenticators {
            let result = await authenticator.authenticate(credential)
            if result != .unrecognized { return result }
        }
        return .unrecognized
    }
}
