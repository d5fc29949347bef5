/// The cookie that ties a sign-in through the authorization server to the browser that started it.
///
/// `SameSite=Lax`, unlike the session cookie: the callback is a top-level navigation that comes
/// from the authorization server's site, and browsers withhold `Strict` cookies from it. It holds
/// only a random secret whose fingerprint the pending sign-in keeps, is sent only to
/// `/session/oauth` paths, lives as long as a pending sign-in, and is `HttpOnly` (and `Secure`
/// behind TLS) like the session cookie.
enum SignInBindingCookie {
    static let name = "ordinaut_oauth"

    /// `Set-Cookie` for a sign-in just started.
    static func setting(_ binding: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(binding); Path=\(OAuthSignInAPI.startPath); Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that makes the browser forget it.
    static func clearing(secure: Bool) -> String {
        setting("", maxAge: 0, secure: secure)
    }
}
