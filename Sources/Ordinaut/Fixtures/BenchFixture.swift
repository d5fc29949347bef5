import OrdinautCore
import OrdinautMCP

/// The surface the benchmarks measure (`--fixture bench`): one `echo` tool, the same one the Python
/// peer serves, so that both sides do the same work per call.
enum BenchFixture {
    static func register(on server: MCPServer) throws {
        try server.tools.register(Tool(
            name: "echo", description: "Returns its text argument",
            inputSchema: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]
        ) { arguments, _ in
            .text(arguments["text"]?.stringValue ?? "")
        })
    }
}
