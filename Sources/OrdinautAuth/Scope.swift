/// The scopes Ordinaut knows. Every operation needs exactly one of them; `AccessPolicy` says which.
public enum Scope {
    /// The general MCP surface: tools, resources and prompts that belong to no feature below
    /// (the conformance fixture's, the bench fixture's), and connecting at all.
    public static let mcp = "mcp"
    /// Read tasks, runs and their audit lines.
    public static let tasksRead = "tasks:read"
    /// Create, change, pause, resume, snooze, cancel and run tasks.
    public static let tasksWrite = "tasks:write"
    /// Cancel runs.
    public static let runsWrite = "runs:write"
    /// Answer approvals.
    public static let runsApprove = "runs:approve"
    /// Publish events.
    public static let eventsPublish = "events:publish"
    /// Read the extension host's state (`/ext/status`, `/extensions`, `/tools`).
    public static let extensionsRead = "extensions:read"
    /// Read the Prometheus metrics.
    public static let metricsRead = "metrics:read"
    /// Agents, tokens, the audit log; holds every other scope.
    public static let admin = ScopeSet.admin

    /// Call the tools (and read the resources and prompts) of extension `id`.
    public static func extensionTools(_ id: String) -> String { "ext:\(id):tools" }
    /// Use the HTTP routes of extension `id`.
    public static func extensionRoutes(_ id: String) -> String { "ext:\(id):routes" }

    /// The fixed scopes, for `scopes_supported` and documentation.
    public static let known: [String] = [mcp, tasksRead, tasksWrite, runsWrite, runsApprove, eventsPublish, extensionsRead, metricsRead, admin]
}
