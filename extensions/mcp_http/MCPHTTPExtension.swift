import OrdinautExtensionKit

/// The built-in `mcp_http` extension: the host's MCP engine (the same tools, sessions and both
/// protocol eras as `/mcp`) served as Streamable HTTP at `/ext/mcp_http/`.
public struct MCPHTTPExtension: Extension {
    public init() {}

    public let info = ExtensionInfo(
        id: "mcp_http", name: "MCP over HTTP", version: "1.0.0",
        description: "The Model Context Protocol (Streamable HTTP, both eras) at /ext/mcp_http/, served by the same engine as /mcp.")

    public let requestedCapabilities: Set<Capability> = [.routes]

    public func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        let routes = try context.routes()
        try context.mountMCPEndpoint(on: routes)
        return routes
    }
}
