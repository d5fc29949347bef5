import HTTPTypes
import Hummingbird

/// The web UI's session cookie: `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's
/// page sends it), `Secure` when clients reach the server over TLS, and expiring with the session.
enum SessionCookie {
    static let name = "ordinaut_session"

    /// The cookie's value in a request, if it carries one.
    static func value(in request: Request) -> String? {
        value(of: name, in: request)
    }

    /// The value of the cookie `name` in a request, if it carries one.
    static func value(of name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                let value = trimmed[trimmed.index(after: equals)...]
                if !value.isEmpty { return String(value) }
            }
        }
        return nil
    }

    /// `Set-Cookie` for a new session.
    static func setting(_ secret: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(secret); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that makes the browser forget the cookie.
    static func clearing(secure: Bool) -> String {
        setting("", maxAge: 0, secure: secure)
    }
}
