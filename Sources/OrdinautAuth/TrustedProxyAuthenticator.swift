import Crypto

/// An authenticating reverse proxy in front of Ordinaut: it presents the shared secret
/// (`ORDINAUT_PROXY_SECRET`) with the user it authenticated and that user's scopes. Without the
/// secret those headers mean nothing, and the host strips all three before anything reaches an
/// extension.
public struct TrustedProxyAuthenticator: Authenticator {
    public var name: String { "proxy" }
    private let secretDigest: [UInt8]

    public init(secret: String) {
        secretDigest = Array(SHA256.hash(data: Array(secret.utf8)))
    }

    public func authenticate(_ credential: Credential) async -> AuthenticationResult {
        guard case .proxy(let secret, let user, let scopes) = credential else { return .unrecognized }
        // Digests of equal length compared without an early exit: the time says nothing about the secret.
        let presented = Array(SHA256.hash(data: Array(secret.utf8)))
        var difference: UInt8 = 0
        for (a, b) in zip(presented, secretDigest) { difference |= a ^ b }
        guard difference == 0 else { return .rejected("the proxy secret is not valid") }
        let name = user.flatMap { $0.isEmpty ? nil : $0 } ?? "proxy"
        return .authenticated(Principal(subject: "proxy:" + name, displayName: name, scopes: ScopeSet(parsing: Substring(scopes)), method: .proxy))
    }
}
