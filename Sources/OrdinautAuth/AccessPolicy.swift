/// The one place that says what each operation needs. MCP tools, resources and prompts carry their
/// scope on their registry entry (stamped by whoever registers them: the scheduler, the extension
/// host); everything reached over plain HTTP is decided here by method and path.
public enum AccessPolicy {
    /// What a request needs before it may proceed.
    public enum Requirement: Sendable, Equatable {
        /// Anyone, credential or not (health probes, the OAuth metadata).
        case open
        /// Any authenticated principal; the operation checks finer scopes itself (MCP filters its
        /// lists and checks each call).
        case authenticated
        /// A principal that holds this scope.
        case scope(String)
    }

    /// The scope an MCP tool, resource or prompt needs when its registration named none.
    public static func mcpScope(declared: String?) -> String {
        declared ?? Scope.mcp
    }

    /// The requirement of an HTTP request, by method and path. Extension routes need their
    /// extension's route scope; unknown paths need authentication (they answer 404 after it, so an
    /// anonymous client learns nothing about what exists).
    public static func requirement(method: String, path: Substring) -> Requirement {
        if path == "/health" || path == "/health/ready" || path == "/health/live" { return .open }
        // The REST contract, and the root (a redirect to the web UI, or a note saying where things are).
        if path == "/openapi.json" || path == "/" { return .open }
        if path.hasPrefix("/.well-known/oauth-protected-resource") { return .open }
        // Signing in presents the credential in the body, and asking whether one is signed in must
        // work without one; both handlers check credentials through the gate. Signing out needs one.
        if path == "/session" { return method == "DELETE" ? .authenticated : .open }
        // Signing in through the authorization server: a browser with no credential yet goes there
        // and comes back; the callback checks the token it brings through the same authenticators.
        if path == "/session/oauth" || path == "/session/oauth/callback" { return method == "GET" || method == "HEAD" ? .open : .authenticated }
        if path == "/mcp" || path.hasPrefix("/mcp/") || path == "/sse" || path == "/messages" { return .authenticated }
        if path.hasPrefix("/ext/") {
            let tail = path.dropFirst(5)
            let id = tail.prefix { $0 != "/" }
            if id.isEmpty { return .authenticated }
            if id == "status" { return .scope(Scope.extensionsRead) }
            let rest = tail.dropFirst(id.count)
            // An extension's health is a probe, like the server's.
            if rest == "/health" && method == "GET" { return .open }
            // The web UI's pages hold no data (every datum comes from the API, asked with the
            // viewer's credential), and its sign-in page must load before there is one.
            if id == "webui" && (method == "GET" || method == "HEAD") && (rest == "" || rest == "/" || rest.hasPrefix("/static")) { return .open }
            // The seed's `/metrics` alias and the observability extension's own address.
            if id == "observability" && rest.hasPrefix("/metrics") { return .scope(Scope.metricsRead) }
            return .scope(Scope.extensionRoutes(String(id)))
        }
        if path == "/metrics" { return .scope(Scope.metricsRead) }
        if path == "/extensions" || path == "/tools" { return .scope(Scope.extensionsRead) }
        if path == "/agents" || path.hasPrefix("/agents/") || path == "/audit" { return .scope(Scope.admin) }
        // Following the bus shows what publishers send: the scope of publishing to it.
        if path == "/events" || path == "/events/tail" { return .scope(Scope.eventsPublish) }
        let reads = method == "GET" || method == "HEAD"
        // Dashboards' reads, and checks that create nothing (schedule previews, task validation).
        if path == "/stats" || path == "/changes" || path == "/schedules/preview" || path == "/tasks/validate" {
            return .scope(Scope.tasksRead)
        }
        if path == "/tasks" || path.hasPrefix("/tasks/") { return .scope(reads ? Scope.tasksRead : Scope.tasksWrite) }
        if path == "/runs" || path.hasPrefix("/runs/") {
            if reads { return .scope(Scope.tasksRead) }
            return .scope(path.hasSuffix("/approve") ? Scope.runsApprove : Scope.runsWrite)
        }
        return .authenticated
    }
}
