import OrdinautCore

/// Why a sign-in through the authorization server did not end signed in. ``code`` is what the sign-in
/// page is told (one of a fixed set, never text from the request or the authorization server);
/// ``description`` is for the log.
public struct SignInFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The categories the sign-in page has a message for.
    public enum Kind: String, Sendable, Hashable {
        /// The authorization server cannot be used now (discovery failed, no endpoints, no S256).
        case unavailable
        /// Too many sign-ins are in progress (`ORDINAUT_UI_OAUTH_MAX_PENDING`).
        case busy
        /// The callback's state is missing, unknown, used or expired.
        case state
        /// The callback did not come to the browser that started the sign-in (binding cookie).
        case binding
        /// The callback names another issuer, or none although the server promises one (RFC 9207).
        case issuer
        /// The authorization server answered with an error (the user declined, a bad request).
        case denied
        /// The code could not be exchanged for a token.
        case exchange
        /// The token the authorization server issued is not accepted by this server.
        case token
    }

    /// The error codes of authorization responses (RFC 6749 §4.1.2.1, RFC 8707 §2) the sign-in page
    /// names; any other is reported as `denied`.
    public static let registeredErrors: Set<String> = [
        "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type", "invalid_scope",
        "server_error", "temporarily_unavailable", "invalid_target",
    ]

    /// The category.
    public let kind: Kind
    /// The authorization server's `error`, when it is one of ``registeredErrors``.
    public let serverError: String?
    /// What happened, for the log (may hold text from the authorization server).
    public let description: String

    /// A failure of `kind`; `serverError` is kept only when it is one of ``registeredErrors``.
    public init(_ kind: Kind, _ description: String, serverError: String? = nil) {
        self.kind = kind
        self.description = description
        self.serverError = serverError.flatMap { Self.registeredErrors.contains($0) ? $0 : nil }
    }

    /// What an authorization server's error body says (`error`, `error_description`), cut short, for
    /// the log.
    static func serverSaid(_ body: JSONValue?) -> String {
        let error = body?["error"]?.stringValue.map { TokenRejection.excerpt($0) } ?? "no error code"
        let detail = body?["error_description"]?.stringValue.map { ": " + TokenRejection.excerpt($0, limit: 200) } ?? ""
        return error + detail
    }

    /// The sign-in page's code: the kind, and for `denied` the registered error (`denied:access_denied`).
    public var code: String {
        serverError.map { "\(kind.rawValue):\($0)" } ?? kind.rawValue
    }
}
