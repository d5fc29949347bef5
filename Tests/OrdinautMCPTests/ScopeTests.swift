import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import OrdinautTesting
import Testing

@Suite("Scopes in the engine")
struct EngineScopeTests {
    func server(rateLimits: RateLimitPolicy = .unlimited) throws -> MCPServer {
        let server = MCPServer(configuration: .init(rateLimits: rateLimits))
        try server.tools.register(Tool(name: "open_tool") { _, _ in .text("open") })
        try server.tools.register(Tool(name: "guarded", scope: "tasks:write") { _, _ in .text("done") })
        try server.resources.register(Resource(uri: "test://guarded", name: "guarded", scope: "tasks:read") { uri, _, _ in
            [ResourceContents(uri: uri, mimeType: "text/plain", text: "secret")]
        })
        try server.prompts.register(Prompt(name: "guarded_prompt", scope: "admin") { _, _ in (nil, []) })
        return server
    }

    static let reader = Principal(subject: "token:reader", displayName: "reader", scopes: ScopeSet(["mcp"]), method: .tokensFile)

    @Test func listsShowOnlyWhatThePrincipalMayUse() async throws {
        let client = TestClient(server: try server(), kind: .httpStateless, principal: Self.reader)
        let tools = try #require(await client.statelessRequest("tools/list")?.result?["tools"]?.arrayValue)
        #expect(tools.compactMap { $0["name"]?.stringValue } == ["open_tool"])
        #expect(await client.statelessRequest("resources/list")?.result?["resources"]?.arrayValue?.isEmpty == true)
        #expect(await client.statelessRequest("prompts/list")?.result?["prompts"]?.arrayValue?.isEmpty == true)
        let admin = TestClient(server: try server(), kind: .httpStateless)
        #expect(try #require(await admin.statelessRequest("tools/list")?.result?["tools"]?.arrayValue).count == 2)
    }

    @Test func aCallWithoutTheScopeIsRefusedBeforeTheHandlerRuns() async throws {
        let client = TestClient(server: try server(), kind: .httpStateless, principal: Self.reader)
        let refused = await client.statelessRequest("tools/call", ["name": "guarded"])
        #expect(refused?.error?.code == RPCError.insufficientScopeCode)
        #expect(refused?.error?.data?["requiredScope"] == "tasks:write")
        #expect(refused?.error?.message.contains("tasks:write") == true)
        let read = await client.statelessRequest("resources/read", ["uri": "test://guarded"])
        #expect(read?.error?.code == RPCError.insufficientScopeCode)
        let prompt = await client.statelessRequest("prompts/get", ["name": "guarded_prompt"])
        #expect(prompt?.error?.code == RPCError.insufficientScopeCode)
        #expect(await client.statelessRequest("tools/call", ["name": "open_tool"])?.result?["isError"] == nil)
    }

    @Test func toolCallsAreRateLimitedPerPrincipal() async throws {
        let server = try server(rateLimits: RateLimitPolicy(requests: nil, toolCalls: .init(rate: 0.01, burst: 2)))
        let greedy = TestClient(server: server, kind: .httpStateless, principal: Self.reader)
        #expect(await greedy.statelessRequest("tools/call", ["name": "open_tool"])?.error == nil)
        #expect(await greedy.statelessRequest("tools/call", ["name": "open_tool"])?.error == nil)
        let limited = await greedy.statelessRequest("tools/call", ["name": "open_tool"])
        #expect(limited?.error?.code == RPCError.rateLimitedCode)
        #expect((limited?.error?.data?["retryAfterSeconds"]?.integerValue ?? 0) >= 1)
        // Someone else still has their own bucket.
        let other = TestClient(server: server, kind: .httpStateless)
        #expect(await other.statelessRequest("tools/call", ["name": "open_tool"])?.error == nil)
    }
}
