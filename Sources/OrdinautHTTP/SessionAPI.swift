import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon

/// `/session`: the web UI signs in with a token (`POST`), learns who it is and its CSRF token, or
/// how it may sign in (`GET`), and signs out (`DELETE`). Signing in through the authorization
/// server is ``OAuthSignInAPI``. Signing in checks the token with the gate's own
/// authenticators; the session it opens is used through the gate like a bearer token.
public struct SessionAPI: Sendable {
    let gate: AccessGate

    /// The largest sign-in body read.
    static let maxBodyBytes = 16 * 1024

    public init(gate: AccessGate) {
        self.gate = gate
    }

    public func addRoutes<Context: Hummingbird.RequestContext & PrincipalCarrying>(to router: Router<Context>) {
        router.post("/session") { request, context in try await self.signIn(request, context) }
        router.get("/session") { request, context in await self.describe(request, context) }
        router.delete("/session") { request, _ in self.signOut(request) }
    }

    private func signIn(_ request: Request, _ context: some PrincipalCarrying) async throws -> Response {
        guard let sessions = gate.configuration.sessions else {
            return ErrorBody.response(.notFound, "not_found", "browser sessions are turned off on this server")
        }
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        guard let value = try? JSONParser().parse(Array(buffer: body)), let token = value["token"]?.stringValue, !token.isEmpty,
              token.utf8.count <= AccessGate.maximumCredentialLength else {
            return ErrorBody.response(.badRequest, "invalid_request", "send {\"token\": \"<bearer token>\"}")
        }
        let credential = Credential.bearer(token)
        switch await gate.configuration.authenticators.authenticate(credential) {
        case .authenticated(let principal):
            let issued = sessions.open(credential)
            return ErrorBody.json(.created, Self.describe(principal, csrfToken: issued.csrfToken, expiresIn: issued.maxAge), headers: [
                .setCookie: gate.sessionCookie(issued), .cacheControl: "no-store",
            ])
        case .unrecognized, .rejected:
            return gate.unauthorized(request, error: "invalid_token", "the token is not valid", reason: "invalid", address: context.clientAddress)
        case .unavailable(let reason):
            return ErrorBody.response(.serviceUnavailable, "authentication_unavailable", "the token cannot be checked now: \(reason)",
                                      headers: [.retryAfter: "5"])
        }
    }

    /// Who the request's credential (cookie, bearer token, or none) stands for, or that nobody is
    /// signed in: the sign-in page's question, answered 200 either way (with the authorization
    /// servers, for signing in through one).
    private func describe(_ request: Request, _ context: some PrincipalCarrying) async -> Response {
        switch await gate.authenticate(request, clientAddress: context.clientAddress) {
        case .success(let principal):
            let secret = request.headers.value(.authorization) == nil ? SessionCookie.value(in: request) : nil
            let csrf = secret.flatMap { gate.configuration.sessions?.csrfToken(for: $0) }
            return ErrorBody.json(.ok, Self.describe(principal, csrfToken: csrf, expiresIn: nil), headers: [.cacheControl: "no-store"])
        case .failure(let refusal):
            var headers: HTTPFields = [.cacheControl: "no-store"]
            if let clearing = refusal.response.headers[.setCookie] { headers[.setCookie] = clearing }
            var body: [(String, JSONValue)] = [
                ("signed_in", false),
                ("authorization_servers", .array(gate.configuration.authorizationServers.map { .string($0) })),
            ]
            // The sign-in methods besides pasting a token: the page shows "Sign in with …" for this.
            if let signIn = gate.configuration.oauthSignIn {
                body.append(("oauth", ["start": .string(OAuthSignInAPI.startPath), "name": .string(signIn.name)]))
            }
            return ErrorBody.json(.ok, .object(JSONObject(body)), headers: headers)
        }
    }

    private func signOut(_ request: Request) -> Response {
        if let secret = SessionCookie.value(in: request) { gate.configuration.sessions?.close(secret) }
        return Response(status: .noContent, headers: [.setCookie: SessionCookie.clearing(secure: gate.secureCookies)])
    }

    static func describe(_ principal: Principal, csrfToken: String?, expiresIn: Int?) -> JSONValue {
        var body: [(String, JSONValue)] = [
            ("signed_in", true),
            ("subject", .string(principal.subject)),
            ("name", .string(principal.displayName)),
            ("method", .string(principal.method.rawValue)),
            ("scopes", .array(principal.scopes.sorted.map { .string($0) })),
        ]
        if let csrfToken { body.append(("csrf_token", .string(csrfToken))) }
        if let expiresIn { body.append(("expires_in", .integer(Int64(expiresIn)))) }
        return .object(JSONObject(body))
    }
}
