import HTTPTypes
import Hummingbird
import OrdinautAuth
import OrdinautHTTPCommon
import OrdinautMCP

/// The web UI's cookie sessions inside the access layer. A request with no `Authorization` header
/// but a session cookie authenticates the credential the session was opened with, through the same
/// authenticators as a bearer token; a state-changing request must also carry the session's CSRF
/// token in `X-CSRF-Token`. A cookie that names no live session, or a missing or wrong CSRF token,
/// is refused: it never falls back to the anonymous principal.
extension AccessGate {
    /// The credential of the live session the request's cookie names, when its CSRF token (if one is
    /// needed) is right.
    func sessionCredential(_ request: Request) -> Credential? {
        guard let sessions = configuration.sessions, let secret = SessionCookie.value(in: request),
              let credential = sessions.credential(secret) else { return nil }
        guard Self.isSafe(request.method) || sessions.accepts(csrfToken: request.headers.value(.csrfToken), for: secret) else { return nil }
        return credential
    }

    /// Why a request whose cookie gave no credential is refused, or `nil` when it carries no cookie.
    func sessionRefusal(_ request: Request, address: String?) -> Refusal? {
        guard let sessions = configuration.sessions, let secret = SessionCookie.value(in: request) else { return nil }
        guard sessions.credential(secret) != nil else {
            var response = unauthorized(request, error: "invalid_token", "the sign-in session has ended; sign in again", reason: "session", address: address)
            response.headers[.setCookie] = SessionCookie.clearing(secure: secureCookies)
            return Refusal(response: response)
        }
        configuration.observer?.accessDenied(reason: "csrf")
        return Refusal(response: refusal(request, .forbidden, "csrf_token_invalid",
                                         "a request that changes something must carry the session's CSRF token in X-CSRF-Token"))
    }

    /// `Set-Cookie` for a session just opened (by a token, or through the authorization server).
    func sessionCookie(_ issued: BrowserSessions.Issued) -> String {
        SessionCookie.setting(issued.secret, maxAge: issued.maxAge, secure: secureCookies)
    }

    /// Whether cookies get `Secure`: when clients reach the server over TLS (`ORDINAUT_PUBLIC_URL=https://…`).
    var secureCookies: Bool { configuration.publicURL?.hasPrefix("https://") == true }

    /// Methods that change nothing, and so need no CSRF token.
    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
