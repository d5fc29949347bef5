import HTTPTypes

extension HTTPField.Name {
    /// The secret an authenticating reverse proxy presents (`ORDINAUT_PROXY_SECRET`).
    public static let proxySecret = HTTPField.Name("X-Ordinaut-Proxy-Secret")!
    /// The user a trusted proxy authenticated.
    public static let proxyUser = HTTPField.Name("X-Ordinaut-User")!
    /// The scopes a trusted proxy grants its user.
    public static let scopes = HTTPField.Name("X-Scopes")!
    /// IETF `RateLimit` and `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers).
    public static let rateLimit = HTTPField.Name("RateLimit")!
    public static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    public static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    public static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// The web UI session's CSRF token, required on state-changing requests made with its cookie.
    public static let csrfToken = HTTPField.Name("X-CSRF-Token")!
}
