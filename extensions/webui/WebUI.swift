import OrdinautExtensionKit

/// The built-in `webui` extension: the browser interface. Its pages are the files of
/// `extensions/webui/static/` (plain HTML, CSS and JavaScript modules, compiled into the binary and
/// served by the host under `/ext/webui/static/`); every datum on them comes from the REST API and
/// the change stream, asked with the viewer's own credential. The one route sends `/ext/webui/`
/// to the pages.
public struct WebUIExtension: Extension {
    public init() {}

    public let info = ExtensionInfo(
        id: "webui", name: "Web UI", version: "1.0.0",
        description: "The browser interface at /ext/webui/: overview, tasks, runs, approvals, extensions, tools and events, on the same REST and MCP operations as every other client.")

    public let requestedCapabilities: Set<Capability> = [.routes, .staticFiles]

    public func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        let routes = try context.routes()
        routes.get("/") { _, _ in
            Response(status: .found, headers: [.location: "/ext/webui/static/"])
        }
        return routes
    }
}
