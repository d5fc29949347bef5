import OrdinautAccess
import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import OrdinautStore
import OrdinautTesting
import Testing

@Suite("Agent tools")
struct AgentToolsTests {
    func client(_ rig: AccessRig) async throws -> TestClient {
        let server = MCPServer()
        try AgentTools.register(on: server, service: rig.service, actor: { _ in "principal:alice" })
        let client = TestClient(server: server)
        await client.initialize()
        return client
    }

    func call(_ client: TestClient, _ name: String, _ arguments: JSONObject = [:]) async -> JSONValue? {
        await client.request("tools/call", ["name": .string(name), "arguments": .object(arguments)])?.result
    }

    @Test func everyToolIsListedWithSchemasAndTheAdminScopeIsNamed() async throws {
        let rig = try await AccessRig()
        let tools = try await client(rig)
        let listed = await tools.request("tools/list")?.result?["tools"]?.arrayValue ?? []
        #expect(listed.compactMap { $0["name"]?.stringValue }.sorted() == AgentTools.toolNames.sorted())
        #expect(listed.allSatisfy { $0["inputSchema"]?["type"] == "object" && $0["outputSchema"]?["type"] == "object" })
        #expect(AgentTools.requiredScope == "admin")
        await rig.close()
    }

    @Test func anAgentGetsATokenShownOnceThatListsOnlyByItsPrefixAndCanBeRevoked() async throws {
        let rig = try await AccessRig()
        let tools = try await client(rig)
        let agent = await call(tools, "agent_create", ["name": "ci-bot", "scopes": ["tasks:read", "tasks:write"]])
        #expect(agent?["structuredContent"]?["name"] == "ci-bot")
        #expect(agent?["structuredContent"]?["created_by"] == "principal:alice")
        #expect(agent?["structuredContent"]?["created_at"] == "2025-01-01T00:00:00.000Z")

        let created = await call(tools, "token_create", ["agent": "ci-bot", "label": "pipeline", "expires_in_seconds": 86_400])
        let token = try #require(created?["structuredContent"]?["token"]?.stringValue)
        #expect(AgentTokenFormat.isWellFormed(token))
        #expect(created?["structuredContent"]?["warning"]?.stringValue?.contains("shown only once") == true)
        #expect(created?["structuredContent"]?["record"]?["expires_at"] == "2025-01-02T00:00:00.000Z")

        let listed = await call(tools, "token_list", ["agent": "ci-bot"])
        let items = listed?["structuredContent"]?["items"]?.arrayValue ?? []
        #expect(items.count == 1 && items[0]["status"] == "active" && items[0]["label"] == "pipeline")
        #expect(items[0]["prefix"]?.stringValue.map(token.hasPrefix) == true)
        #expect(!(listed?.encodedString().contains(token) ?? true), "a listing never holds the token")

        let id = try #require(items[0]["id"]?.stringValue)
        let revoked = await call(tools, "token_revoke", ["id": .string(id)])
        #expect(revoked?["structuredContent"]?["status"] == "revoked")
        let log = try await rig.tasks.audit.entries(taskId: nil)
        #expect(log.map(\.actor) == ["principal:alice", "principal:alice", "principal:alice"])
        await rig.close()
    }

    @Test func disablingAndEnablingAnAgentAndRefusalsAreToolErrors() async throws {
        let rig = try await AccessRig()
        let tools = try await client(rig)
        _ = await call(tools, "agent_create", ["name": "bot", "scopes": ["tasks:read"]])
        #expect(await call(tools, "agent_disable", ["agent": "bot"])?["structuredContent"]?["disabled"] == true)
        let refused = await call(tools, "token_create", ["agent": "bot"])
        #expect(refused?["isError"] == true)
        #expect(await call(tools, "agent_disable", ["agent": "bot", "disabled": false])?["structuredContent"]?["disabled"] == false)
        let duplicate = await call(tools, "agent_create", ["name": "bot", "scopes": ["admin"]])
        #expect(duplicate?["isError"] == true)
        #expect(duplicate?["content"]?.arrayValue?.first?["text"] == "an agent named 'bot' already exists (field: name)")
        let listed = await call(tools, "agent_list")
        #expect(listed?["structuredContent"]?["items"]?.arrayValue?.map { $0["name"] } == ["bot"])
        #expect(await call(tools, "token_list", ["agent": "nobody"])?["isError"] == true)
        await rig.close()
    }
}
