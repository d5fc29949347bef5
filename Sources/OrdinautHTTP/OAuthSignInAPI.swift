import HTTPTypes
import Hummingbird
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon

/// Signing in to the web UI through the authorization server (authorization code with PKCE, this
/// server as the client): `GET /session/oauth` sends the browser there, `GET /session/oauth/callback`
/// takes it back, exchanges the code, checks the token with the gate's authenticators exactly as a
/// bearer token, and opens the same cookie session as `POST /session`. Every answer is a `303`: to
/// the authorization server, to where the sign-in was started from, or to the sign-in page with a
/// `signin_error` code from a fixed set (never text from the request or the authorization server).
public struct OAuthSignInAPI: Sendable {
    static let startPath = "/session/oauth"
    static let callbackPath = "/session/oauth/callback"
    /// The sign-in page, told about failures in its query.
    static let signInPage = "/ext/webui/static/"

    let gate: AccessGate
    let signIn: OAuthSignIn
    let sessions: BrowserSessions

    /// The routes' handler, or `nil` when the gate has no OAuth sign-in configured.
    public init?(gate: AccessGate) {
        guard let signIn = gate.configuration.oauthSignIn, let sessions = gate.configuration.sessions else { return nil }
        self.gate = gate
        self.signIn = signIn
        self.sessions = sessions
    }

    /// `GET /session/oauth` and `GET /session/oauth/callback`, behind the access middleware.
    public func addRoutes<Context: Hummingbird.RequestContext & PrincipalCarrying>(to router: Router<Context>) {
        router.get(RouterPath(Self.startPath)) { request, _ in await self.start(request) }
        router.get(RouterPath(Self.callbackPath)) { request, context in await self.callback(request, context) }
    }

    private func start(_ request: Request) async -> Response {
        let returnPath = request.uri.queryParameters["return"].map(String.init)
        switch await signIn.start(returnPath: returnPath) {
        case .success(let started):
            let maxAge = Int(signIn.configuration.pendingLifetime.components.seconds)
            return Self.redirect(started.url, cookies: [SignInBindingCookie.setting(started.binding, maxAge: maxAge, secure: gate.secureCookies)])
        case .failure(let failure):
            return refused(failure, request, address: nil, endsSignIn: false)
        }
    }

    private func callback(_ request: Request, _ context: some PrincipalCarrying) async -> Response {
        let query = request.uri.queryParameters
        let callback = OAuthSignIn.Callback(state: query["state"].map(String.init), code: query["code"].map(String.init),
                                            error: query["error"].map(String.init), issuer: query["iss"].map(String.init))
        let binding = SessionCookie.value(of: SignInBindingCookie.name, in: request)
        let completed: OAuthSignIn.Completed
        switch await signIn.finish(callback, binding: binding) {
        case .success(let done): completed = done
        case .failure(let failure):
            // A state this browser did not start leaves its own sign-in (and binding cookie) alone:
            // a forged callback must not cancel a sign-in in progress.
            return refused(failure, request, address: context.clientAddress, endsSignIn: failure.kind != .state && failure.kind != .binding)
        }
        let credential = Credential.bearer(completed.accessToken)
        switch await gate.configuration.authenticators.authenticate(credential) {
        case .authenticated:
            let issued = sessions.open(credential, notAfter: completed.expiresIn.map { .seconds($0) })
            return Self.redirect(completed.returnPath, cookies: [gate.sessionCookie(issued), SignInBindingCookie.clearing(secure: gate.secureCookies)])
        case .unrecognized:
            return refused(SignInFailure(.token, "the issued access token is not recognized by any authenticator"), request, address: context.clientAddress)
        case .rejected(let reason):
            return refused(SignInFailure(.token, "the issued access token is refused: \(reason)"), request, address: context.clientAddress)
        case .unavailable(let reason):
            return refused(SignInFailure(.unavailable, "the issued access token cannot be checked now: \(reason)"), request, address: nil)
        }
    }

    /// Back to the sign-in page with the failure's code; the reason goes to the log and the audit
    /// log (through the gate's failure hook, rate-limited per address). `endsSignIn`: the browser's
    /// binding cookie belonged to the sign-in that failed and is cleared.
    private func refused(_ failure: SignInFailure, _ request: Request, address: String?, endsSignIn: Bool = true) -> Response {
        gate.configuration.onAuthenticationFailure?("web UI sign-in refused (\(failure.kind.rawValue)): \(failure.description)", address, request.uri.path)
        let location = Self.signInPage + "?signin_error=" + FormEncoding.encode(failure.code)
        return Self.redirect(location, cookies: endsSignIn ? [SignInBindingCookie.clearing(secure: gate.secureCookies)] : [])
    }

    private static func redirect(_ location: String, cookies: [String]) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}
