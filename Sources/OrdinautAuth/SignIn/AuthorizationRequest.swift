/// The address a browser is sent to to sign in (OAuth 2.1 §4.1.1): the authorization endpoint with
/// `response_type=code`, the client, where to come back, the scopes, the state, the PKCE challenge
/// (`S256`) and the resource the token is for (RFC 8707).
public struct AuthorizationRequest: Sendable, Hashable {
    /// The authorization server's `authorization_endpoint`.
    public var endpoint: OAuthURL
    /// The web UI's client id at the authorization server.
    public var clientID: String
    /// Where the authorization server sends the browser back (registered with the client).
    public var redirectURI: String
    /// The scopes asked for; none leaves `scope` out (the server's default).
    public var scopes: [String]
    /// The unguessable value the callback must bring back.
    public var state: String
    /// The PKCE `S256` challenge.
    public var codeChallenge: String
    /// The resource indicator: this server's MCP URL, the audience its tokens must name.
    public var resource: String

    /// A request with these parts.
    public init(endpoint: OAuthURL, clientID: String, redirectURI: String, scopes: [String], state: String, codeChallenge: String,
                resource: String) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.codeChallenge = codeChallenge
        self.resource = resource
    }

    /// The full URL. An endpoint with a query of its own keeps it (RFC 6749 §3.1), with ours after it.
    public var url: String {
        var fields: [(String, String)] = [("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI)]
        if !scopes.isEmpty { fields.append(("scope", scopes.joined(separator: " "))) }
        fields += [("state", state), ("code_challenge", codeChallenge), ("code_challenge_method", "S256"), ("resource", resource)]
        let separator = endpoint.query.map { $0.isEmpty ? "" : "&" } ?? "?"
        return endpoint.text + separator + FormEncoding.encode(fields)
    }
}
