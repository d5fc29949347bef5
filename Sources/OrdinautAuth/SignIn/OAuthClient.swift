/// The web UI's client at the authorization server: its id, and its secret when it is confidential.
public struct OAuthClient: Sendable, Hashable, CustomStringConvertible {
    /// `client_id`.
    public let id: String
    /// `client_secret`, sent with HTTP Basic to the token endpoint; `nil` for a public client.
    public let secret: String?

    /// A client with this id and, for a confidential one, this secret.
    public init(id: String, secret: String?) {
        self.id = id
        self.secret = secret
    }

    /// The client with its secret left out, for logs.
    public var description: String {
        "OAuthClient(id: \(id), secret: \(secret == nil ? "none" : "<redacted>"))"
    }
}
