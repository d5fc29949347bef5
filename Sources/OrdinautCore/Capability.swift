/// What an extension may do. An extension asks for capabilities; the operator grants them in the
/// manifest (or `ORDINAUT_EXT_ENTRY_GRANTS`); it receives the intersection and nothing more.
public enum Capability: String, Sendable, CaseIterable, Hashable, Comparable {
    /// Serve HTTP routes under `/ext/<id>/`.
    case routes = "ROUTES"
    /// Register tools, resources and prompts named `ext.<id>.…`.
    case tools = "TOOLS"
    /// Publish events to streams named `ext:<id>:<namespace>:<name>`.
    case eventsPublish = "EVENTS_PUB"
    /// Subscribe to events.
    case eventsSubscribe = "EVENTS_SUB"
    /// Run supervised background tasks.
    case backgroundTasks = "BACKGROUND_TASKS"
    /// Serve the files in the extension's `static/` folder at `/ext/<id>/static/`.
    case staticFiles = "STATIC"

    public static func < (lhs: Capability, rhs: Capability) -> Bool { lhs.rawValue < rhs.rawValue }
}
