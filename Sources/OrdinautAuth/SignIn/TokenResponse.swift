import OrdinautCore

/// A token endpoint's answer to a code exchange (OAuth 2.1 §3.2.3, §3.2.4): the bearer access token
/// and how long it lives, or the error the server gave.
public struct TokenResponse: Sendable, Hashable {
    /// The access token.
    public let accessToken: String
    /// `expires_in`, in seconds, when the server said.
    public let expiresIn: Int?

    /// Reads the answer; anything but a 200 with a bearer `access_token` is a failure of kind
    /// `exchange` that says what the server said.
    public init(_ document: HTTPDocument, endpoint: String) throws(SignInFailure) {
        let value = try? JSONParser(maximumDepth: 8).parse(document.body)
        guard document.status == 200 else {
            throw SignInFailure(.exchange, "the token endpoint \(endpoint) refused the code (HTTP \(document.status), \(SignInFailure.serverSaid(value)))")
        }
        guard let object = value?.objectValue, let token = object["access_token"]?.stringValue, !token.isEmpty else {
            throw SignInFailure(.exchange, "the token endpoint \(endpoint) answered 200 without an access_token")
        }
        guard object["token_type"]?.stringValue?.lowercased() == "bearer" else {
            throw SignInFailure(.exchange, "the token endpoint \(endpoint) issued a token that is not a bearer token")
        }
        var expiresIn: Int?
        if let member = object["expires_in"] {
            guard let seconds = member.integerValue, seconds > 0, seconds <= Int64(Int32.max) else {
                throw SignInFailure(.exchange, "the token endpoint \(endpoint) answered an expires_in that is not a positive number of seconds")
            }
            expiresIn = Int(seconds)
        }
        accessToken = token
        self.expiresIn = expiresIn
    }
}
