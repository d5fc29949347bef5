import HTTPTypes
import Hummingbird
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautMCP

/// The decisions of the access layer, apart from Hummingbird's middleware plumbing.
public final class AccessGate: Sendable {
    /// What to do with a request.
    public enum Admission: Sendable {
        /// Go on, as this principal (`nil` on routes open to anyone).
        case admit(Principal?)
        /// Answer now with this (a refusal, or a CORS preflight's answer).
        case answer(Response)
    }

    public let configuration: AccessConfiguration
    let browser: BrowserPolicy
    let limiter = RateLimiter()
    let concurrency: ConcurrencyLimiter

    public init(configuration: AccessConfiguration) {
        self.configuration = configuration
        browser = BrowserPolicy(allowedOrigins: configuration.allowedOrigins, allowedHosts: configuration.allowedHosts,
                                bindHost: configuration.bindHost, scheme: configuration.publicURL?.hasPrefix("https://") == true ? "https" : "http")
        concurrency = ConcurrencyLimiter(limitPerKey: configuration.concurrentRequestsPerPrincipal)
    }

    /// The longest `Authorization` header accepted; longer ones are refused unread.
    static let maximumCredentialLength = 8192

    public func admit(_ request: Request, clientAddress: String?) async -> Admission {
        let host = request.head.authority
        guard browser.allowsHost(host) else {
            return .answer(refusal(request, .misdirectedRequest, "misdirected_request",
                                   "Host \(host ?? "(none)") is not served here; add it to ORDINAUT_ALLOWED_HOSTS"))
        }
        let origin = request.headers.value(.origin)
        guard browser.allowsOrigin(origin, host: host) else {
            return .answer(refusal(request, .forbidden, "origin_not_allowed",
                                   "Origin \(origin ?? "") is not allowed; add it to ORDINAUT_ALLOWED_ORIGINS"))
        }
        if request.method == .options {
            return .answer(preflight(request, origin: origin))
        }
        if let problem = mediaTypeProblem(request) {
            return .answer(refusal(request, .unsupportedMediaType, "unsupported_media_type", problem))
        }
        let path = request.uri.path
        let requirement = AccessPolicy.requirement(method: request.method.rawValue, path: Substring(path))
        if requirement == .open { return .admit(nil) }

        let principal: Principal
        switch await authenticate(request, clientAddress: clientAddress) {
        case .success(let authenticated): principal = authenticated
        case .failure(let refusal): return .answer(refusal.response)
        }
        if case .scope(let scope) = requirement, !principal.holds(scope) {
            configuration.observer?.accessDenied(reason: "forbidden")
            return .answer(insufficientScope(request, scope: scope, principal: principal, body: nil))
        }
        if let limit = configuration.rateLimits.requests, case .limited(let retryAfter) = limiter.take(principal.subject, limit: limit) {
            configuration.observer?.rateLimited(surface: "http")
            let window = limit.policyWindow
            return .answer(refusal(request, .tooManyRequests, "rate_limited", "too many requests; retry in \(retryAfter) s", headers: [
                .retryAfter: String(retryAfter),
                .rateLimitPolicy: "\"requests\";q=\(window.quota);w=\(window.seconds)",
                .rateLimit: "\"requests\";r=0;t=\(retryAfter)",
            ]))
        }
        return .admit(principal)
    }

    // MARK: Credentials

    struct Refusal: Error {
        let response: Response
    }

    func authenticate(_ request: Request, clientAddress: String?) async -> Result<Principal, Refusal> {
        let presented: Credential?
        switch Self.credential(request) {
        case .success(let found): presented = found
        case .failure(let problem):
            return .failure(Refusal(response: unauthorized(request, error: "invalid_request", problem.message, reason: "invalid", address: clientAddress)))
        }
        // Without a header, the web UI's session cookie may stand for the credential it was opened with.
        guard let credential = presented ?? sessionCredential(request) else {
            if let refusal = sessionRefusal(request, address: clientAddress) { return .failure(refusal) }
            if !configuration.requireCredentials { return .success(.anonymous(address: clientAddress)) }
            configuration.observer?.accessDenied(reason: "missing")
            return .failure(Refusal(response: unauthorized(request, error: nil, "this endpoint needs a bearer token", reason: nil, address: clientAddress)))
        }
        switch await configuration.authenticators.authenticate(credential) {
        case .authenticated(let principal):
            return .success(principal)
        case .unrecognized:
            return .failure(Refusal(response: unauthorized(request, error: "invalid_token", "the token is not valid", reason: "invalid", address: clientAddress)))
        case .rejected(let reason):
            return .failure(Refusal(response: unauthorized(request, error: "invalid_token", reason, reason: "invalid", address: clientAddress)))
        case .unavailable(let reason):
            configuration.observer?.accessDenied(reason: "unavailable")
            return .failure(Refusal(response: refusal(request, .serviceUnavailable, "authentication_unavailable",
                                                      "the credential cannot be checked now: \(reason)", headers: [.retryAfter: "5"])))
        }
    }

    /// The credential a request presents: a bearer token, or a trusted proxy's secret and user.
    static func credential(_ request: Request) -> Result<Credential?, CredentialProblem> {
        if let secret = request.headers.value(.proxySecret) {
            return .success(.proxy(secret: secret, user: request.headers.value(.proxyUser), scopes: request.headers.value(.scopes) ?? ""))
        }
        guard let header = request.headers.value(.authorization) else { return .success(nil) }
        guard header.utf8.count <= maximumCredentialLength else {
            return .failure(CredentialProblem("the Authorization header is longer than \(maximumCredentialLength) bytes"))
        }
        guard let space = header.firstIndex(of: " "), header[..<space].lowercased() == "bearer" else {
            return .failure(CredentialProblem("the Authorization header must be \"Bearer <token>\""))
        }
        let token = header[header.index(after: space)...]
        // RFC 6750 b64token: the characters a bearer token may hold, then any '=' padding.
        let body = token.drop { _ in false }.prefix { $0 != "=" }
        let padding = token.dropFirst(body.count)
        guard !body.isEmpty, body.utf8.allSatisfy(Self.isTokenByte), padding.allSatisfy({ $0 == "=" }) else {
            return .failure(CredentialProblem("the bearer token is empty or holds characters a token cannot have"))
        }
        return .success(.bearer(String(token)))
    }

    struct CredentialProblem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"): return true
        default: return false
        }
    }

    // MARK: Browsers

    private func mediaTypeProblem(_ request: Request) -> String? {
        guard request.method == .post || request.method == .put || request.method == .patch else { return nil }
        let contentType = request.headers.value(.contentType)
        let hasBody = request.headers.value(.transferEncoding) != nil || (request.headers.value(.contentLength).flatMap(Int.init) ?? 0) > 0
        guard hasBody || contentType != nil else { return nil }
        guard let contentType, MediaType.isJSON(contentType) else {
            return "request bodies must be application/json (got \(contentType ?? "no Content-Type"))"
        }
        return nil
    }

    private func preflight(_ request: Request, origin: String?) -> Response {
        guard let origin, browser.isExplicitlyAllowed(origin) else {
            // A same-origin page needs no preflight; anyone else is not allowed to send one.
            return refusal(request, .forbidden, "origin_not_allowed", "CORS requests are answered only for ORDINAUT_ALLOWED_ORIGINS")
        }
        return Response(status: .noContent, headers: [
            .accessControlAllowOrigin: origin,
            .accessControlAllowMethods: BrowserPolicy.allowedMethods,
            .accessControlAllowHeaders: BrowserPolicy.allowedRequestHeaders,
            .accessControlExposeHeaders: BrowserPolicy.exposedResponseHeaders,
            .accessControlMaxAge: "600",
            .vary: "Origin",
        ])
    }

    /// Adds the security headers (and CORS headers for an allowed origin) to an answer.
    func secured(_ response: Response, _ request: Request) -> Response {
        var response = response
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        if let type = response.headers.value(.contentType), type.hasPrefix("text/html") {
            if let policy = response.headers.value(.contentSecurityPolicy) {
                // A page's own policy is kept, but it may not allow framing.
                if !policy.contains("frame-ancestors") { response.headers[.contentSecurityPolicy] = policy + "; frame-ancestors 'none'" }
            } else {
                // `data:` images: the web UI shows images tools return, which arrive as base64.
                response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
            }
            response.headers[.xFrameOptions] = "DENY"
        }
        if let origin = request.headers.value(.origin), browser.isExplicitlyAllowed(origin) {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = BrowserPolicy.exposedResponseHeaders
            response.headers[.vary] = "Origin"
        }
        return response
    }
}
