import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import OrdinautTesting
import Testing

/// A server with a few tools whose behaviour the tests below depend on.
func makeServer(pageSize: Int = 100) throws -> MCPServer {
    let server = MCPServer(configuration: .init(pageSize: pageSize))
    try server.tools.register(Tool(
        name: "add", description: "Adds two integers",
        inputSchema: ["type": "object", "properties": ["a": ["type": "integer"], "b": ["type": "integer"]], "required": ["a", "b"],
                      "additionalProperties": false],
        outputSchema: ["type": "object", "properties": ["sum": ["type": "integer"]], "required": ["sum"]]
    ) { arguments, _ in
        .structured(["sum": .integer((arguments["a"]?.integerValue ?? 0) + (arguments["b"]?.integerValue ?? 0))])
    })
    try server.tools.register(Tool(name: "ext.demo.fail") { _, _ in throw ToolError("the demo failed on purpose") })
    try server.tools.register(Tool(name: "liar", outputSchema: ["type": "object", "required": ["n"]]) { _, _ in .structured(["m": 1]) })
    try server.tools.register(Tool(name: "slow") { _, context in
        await context.progress(1, total: 2, message: "halfway")
        await context.log(.info, "working")
        await context.log(.debug, "detail")
        try await Task.sleep(for: .seconds(30))
        return .text("done")
    })
    try server.tools.register(Tool(name: "ask") { _, context in
        let answer = try await context.requestInput(key: "q", .elicitation(message: "name?", requestedSchema: ["type": "object"]))
        return .text("hello \(answer["content"]?["name"]?.stringValue ?? "?")")
    })
    return server
}

@Suite("Session era")
struct SessionEraTests {
    @Test func negotiatesVersionAndRefusesRequestsBeforeInitialize() async throws {
        let client = TestClient(server: try makeServer())
        let early = await client.request("tools/list")
        // Neither initialized nor a 2026-07-28 request: -32602 naming both ways forward.
        #expect(early?.error?.code == -32602)
        #expect(early?.error?.message.contains("io.modelcontextprotocol/clientCapabilities") == true)
        #expect(early?.error?.message.contains("initialize first") == true)
        #expect(await client.request("ping")?.result == [:])
        let response = await client.initialize(version: "2025-06-18")
        #expect(response?.result?["protocolVersion"] == "2025-06-18")
        let unknown = TestClient(server: try makeServer())
        #expect(await unknown.initialize(version: "1999-01-01")?.result?["protocolVersion"] == "2025-11-25")
        #expect(await client.request("initialize", ["protocolVersion": "2025-11-25"])?.error?.code == -32600)
    }

    @Test func callsToolsAndReportsFailuresAsResults() async throws {
        let client = TestClient(server: try makeServer())
        await client.initialize()
        let sum = await client.request("tools/call", ["name": "add", "arguments": ["a": 2, "b": 3]])
        #expect(sum?.result?["structuredContent"] == ["sum": 5])
        let invalid = await client.request("tools/call", ["name": "add", "arguments": ["a": "two"]])
        #expect(invalid?.result?["isError"] == true)
        let text = invalid?.result?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(text.contains("/a") && text.contains("required"))
        let failed = await client.request("tools/call", ["name": "ext__demo__fail"])
        #expect(failed?.result?["isError"] == true)
        #expect(await client.request("tools/call", ["name": "ext.demo.fail"])?.result?["isError"] == true)
        let unknown = await client.request("tools/call", ["name": "nope"])
        #expect(unknown?.error?.code == -32602)
        let liar = await client.request("tools/call", ["name": "liar"])
        #expect(liar?.result?["isError"] == true)
        #expect(await client.request("tools/call", ["name": "add", "arguments": [1, 2]])?.error?.code == -32602)
    }

    @Test func listsToolsSortedAndPaginated() async throws {
        let client = TestClient(server: try makeServer(pageSize: 2))
        await client.initialize()
        var names: [String] = []
        var cursor: JSONValue? = nil
        repeat {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = cursor }
            let page = try #require(await client.request("tools/list", params)?.result)
            names += page["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            cursor = page["nextCursor"]
        } while cursor != nil
        #expect(names == ["add", "ask", "ext__demo__fail", "liar", "slow"])
        #expect(await client.request("tools/list", ["cursor": "garbage"])?.error?.code == -32602)
    }

    @Test func cancellationStopsTheHandlerAndSuppressesTheResponse() async throws {
        let client = TestClient(server: try makeServer())
        await client.initialize()
        async let response = client.request("tools/call", ["name": "slow", "_meta": ["progressToken": "p1"]], id: .string("c1"))
        let progress = await client.nextReceived()
        #expect(progress?["method"] == "notifications/progress")
        #expect(progress?["params"]?["progressToken"] == "p1")
        let log = await client.nextReceived()
        #expect(log?["params"]?["data"] == "working")
        await client.notify("notifications/cancelled", ["requestId": "c1"])
        #expect(await response == nil)
    }

    @Test func duplicateIDInFlightIsRefused() async throws {
        let client = TestClient(server: try makeServer())
        await client.initialize()
        async let first = client.request("tools/call", ["name": "slow"], id: .number(9))
        _ = await client.nextReceived()
        let second = await client.request("ping", id: .number(9))
        #expect(second?.error?.code == -32600)
        await client.notify("notifications/cancelled", ["requestId": 9])
        _ = await first
    }

    @Test func logLevelFiltersMessages() async throws {
        let client = TestClient(server: try makeServer())
        await client.initialize()
        #expect(await client.request("logging/setLevel", ["level": "loud"])?.error?.code == -32602)
        #expect(await client.request("logging/setLevel", ["level": "debug"])?.result == [:])
        async let call = client.request("tools/call", ["name": "slow"], id: .string("l"))
        let first = await client.nextReceived()
        let second = await client.nextReceived()
        #expect(first?["params"]?["data"] == "working")
        #expect(second?["params"]?["data"] == "detail")
        await client.notify("notifications/cancelled", ["requestId": "l"])
        _ = await call
    }

    @Test func elicitationGoesToTheClientAndBack() async throws {
        let client = TestClient(server: try makeServer())
        await client.initialize(capabilities: ["elicitation": [:]])
        async let call = client.request("tools/call", ["name": "ask"])
        let request = try #require(await client.nextReceived())
        #expect(request["method"] == "elicitation/create")
        let id = try #require(request["id"].flatMap(RequestID.init))
        await client.respond(to: id, with: ["action": "accept", "content": ["name": "Ada"]])
        #expect(await call?.result?["content"]?.arrayValue?.first?["text"] == "hello Ada")
        let refused = TestClient(server: try makeServer())
        await refused.initialize()
        #expect(await refused.request("tools/call", ["name": "ask"])?.error?.code == -32600)
    }

    @Test func registryChangesReachTheOutbox() async throws {
        let server = try makeServer()
        let client = TestClient(server: server)
        await client.initialize()
        try server.tools.register(Tool(name: "late") { _, _ in .text("late") })
        #expect(await client.connection.outbox.receive()?["method"] == "notifications/tools/list_changed")
        #expect(throws: RegistrationError.self) { try server.tools.register(Tool(name: "late") { _, _ in .text("") }) }
        #expect(throws: RegistrationError.self) { try server.tools.register(Tool(name: "ext__demo__fail") { _, _ in .text("") }) }
        #expect(throws: RegistrationError.self) { try server.tools.register(Tool(name: "bad", inputSchema: ["type": "string"]) { _, _ in .text("") }) }
    }
}

@Suite("Stateless era")
struct StatelessEraTests {
    @Test func discoverAndResultDecorations() async throws {
        let client = TestClient(server: try makeServer(), kind: .httpStateless)
        let discover = try #require(await client.statelessRequest("server/discover")?.result)
        #expect(discover["supportedVersions"]?.arrayValue?.contains("2026-07-28") == true)
        #expect(discover["resultType"] == "complete")
        #expect(discover["_meta"]?[ProtocolVersion.MetaKey.serverInfo]?["name"] == "ordinaut")
        #expect(discover["ttlMs"] != nil && discover["cacheScope"] == "private")
        // subscriptions/listen serves resourceSubscriptions, so the era declares it.
        #expect(discover["capabilities"]?["resources"]?["subscribe"] == true)
        let list = try #require(await client.statelessRequest("tools/list")?.result)
        #expect(list["ttlMs"] != nil)
        let call = try #require(await client.statelessRequest("tools/call", ["name": "add", "arguments": ["a": 1, "b": 1]])?.result)
        #expect(call["resultType"] == "complete" && call["ttlMs"] == nil)
        #expect(call["_meta"]?[ProtocolVersion.MetaKey.serverInfo]?["name"] == "ordinaut")
    }

    @Test func missingMetaAndBadVersionsAreRejected() async throws {
        let client = TestClient(server: try makeServer(), kind: .httpStateless)
        let bad = await client.request("tools/list", ["_meta": [ProtocolVersion.MetaKey.protocolVersion: "2030-01-01", ProtocolVersion.MetaKey.clientCapabilities: [:]]])
        #expect(bad?.error?.code == -32022)
        #expect(bad?.error?.data?["supported"] != nil)
        let noCaps = await client.request("tools/list", ["_meta": [ProtocolVersion.MetaKey.protocolVersion: "2026-07-28"]])
        #expect(noCaps?.error?.code == -32602)
        #expect(await client.statelessRequest("ping")?.error?.code == -32601)
        #expect(await client.statelessRequest("logging/setLevel", ["level": "info"])?.error?.code == -32601)
    }

    @Test func inputRequiredRoundTripWithSealedState() async throws {
        let client = TestClient(server: try makeServer(), kind: .httpStateless)
        let missing = await client.statelessRequest("tools/call", ["name": "ask"])
        #expect(missing?.error?.code == -32021)
        let caps: JSONObject = ["elicitation": [:]]
        let first = try #require(await client.statelessRequest("tools/call", ["name": "ask"], capabilities: caps)?.result)
        #expect(first["resultType"] == "input_required")
        #expect(first["inputRequests"]?["q"]?["method"] == "elicitation/create")
        let state = try #require(first["requestState"])
        let answers: JSONValue = ["q": ["action": "accept", "content": ["name": "Grace"]]]
        let retry = await client.statelessRequest("tools/call", ["name": "ask", "inputResponses": answers, "requestState": state], capabilities: caps)
        #expect(retry?.result?["content"]?.arrayValue?.first?["text"] == "hello Grace")
        // Alter the sealed payload, not the MAC's last character, whose low bits are base64 padding.
        var forged = state.stringValue!
        let leading = forged.removeFirst()
        forged.insert(leading == "e" ? "f" : "e", at: forged.startIndex)
        let tampered = await client.statelessRequest("tools/call", ["name": "ask", "inputResponses": answers, "requestState": .string(forged)], capabilities: caps)
        #expect(tampered?.error?.code == -32602)
        let otherTool = await client.statelessRequest("tools/call", ["name": "add", "arguments": ["a": 1, "b": 2], "inputResponses": answers, "requestState": state], capabilities: caps)
        #expect(otherTool?.error?.code == -32602)
    }

    @Test func listenAcknowledgesThenForwardsTaggedNotifications() async throws {
        let server = try makeServer()
        let client = TestClient(server: server, kind: .stdio)
        let listening = Task { await client.statelessRequest("subscriptions/listen", ["notifications": ["toolsListChanged": true, "promptsListChanged": false]]) }
        let ack = try #require(await client.nextReceived())
        #expect(ack["method"] == "notifications/subscriptions/acknowledged")
        #expect(ack["params"]?["notifications"] == ["toolsListChanged": true])
        let subscriptionID = try #require(ack["params"]?["_meta"]?[ProtocolVersion.MetaKey.subscriptionID])
        try server.tools.register(Tool(name: "added") { _, _ in .text("") })
        let changed = try #require(await client.nextReceived())
        #expect(changed["method"] == "notifications/tools/list_changed")
        #expect(changed["params"]?["_meta"]?[ProtocolVersion.MetaKey.subscriptionID] == subscriptionID)
        await client.notify("notifications/cancelled", ["requestId": subscriptionID])
        #expect(await listening.value == nil)
    }

    @Test func resourceNotFoundCodeDependsOnEra() async throws {
        let server = try makeServer()
        let stateless = TestClient(server: server, kind: .httpStateless)
        #expect(await stateless.statelessRequest("resources/read", ["uri": "nope://x"])?.error?.code == -32602)
        let session = TestClient(server: server)
        await session.initialize()
        #expect(await session.request("resources/read", ["uri": "nope://x"])?.error?.code == -32002)
    }
}

@Suite("Registries filled at start")
struct SurfaceGateTests {
    @Test func requestsThatReadTheSurfaceWaitUntilItIsComplete() async throws {
        let server = try makeServer()
        let hold = server.holdSurface()
        let client = TestClient(server: server, kind: .httpStateless)
        #expect(await client.statelessRequest("server/discover")?.result != nil, "discovery does not wait")
        let listing = Task { await client.statelessRequest("tools/list")?.result }
        // Time for the listing to be answered were it not held; with the gate it waits regardless.
        try await Task.sleep(for: .milliseconds(50))
        try server.tools.register(Tool(name: "late", inputSchema: ["type": "object"]) { _, _ in .text("late") })
        hold.release()
        let tools = try #require(await listing.value)
        #expect(tools["tools"]?.arrayValue?.contains { $0["name"] == "late" } == true)
        hold.release()  // a second release does nothing
    }

    @Test func theGateOpensWhenEveryHoldIsReleased() async throws {
        let server = try makeServer()
        let engine = server.holdSurface(), extensions = server.holdSurface()
        let client = TestClient(server: server, kind: .httpStateless)
        // Many requests wait at once, and every one of them waits.
        let listings = (0..<8).map { _ in Task { await client.statelessRequest("tools/list")?.result } }
        engine.release()
        engine.release()  // does not count as the other hold
        try await Task.sleep(for: .milliseconds(50))
        try server.tools.register(Tool(name: "late", inputSchema: ["type": "object"]) { _, _ in .text("late") })
        extensions.release()
        for listing in listings {
            let tools = try #require(await listing.value)
            #expect(tools["tools"]?.arrayValue?.contains { $0["name"] == "late" } == true)
        }
        // Open again: a new request passes at once.
        #expect(await client.statelessRequest("tools/list")?.result != nil)
    }

    @Test func listChangesAreNotAnnouncedWhileTheSurfaceIsFilled() async throws {
        let server = try makeServer()
        let session = TestClient(server: server)
        await session.initialize()
        let hold = server.holdSurface()
        try server.tools.register(Tool(name: "early", inputSchema: ["type": "object"]) { _, _ in .text("early") })
        hold.release()
        try server.tools.register(Tool(name: "later", inputSchema: ["type": "object"]) { _, _ in .text("later") })
        let announced = await session.connection.outbox.receive()
        #expect(announced?["method"] == "notifications/tools/list_changed")
        session.connection.outbox.post(["marker": true])
        #expect(await session.connection.outbox.receive()?["marker"] == true, "only the change after the release is announced")
    }
}

@Suite("Session state machine")
struct SessionStateTests {
    @Test func lifecycle() {
        var state = SessionState()
        #expect(state.admit("tools/list").isFailure)
        #expect(!state.admit("ping").isFailure)
        #expect(state.initialize(["capabilities": [:]]).isFailure)
        #expect(!state.initialize(["protocolVersion": "2025-03-26"]).isFailure)
        #expect(!state.admit("tools/list").isFailure)
        state.initialized()
        #expect(state.phase == .ready(state.session!))
        #expect(state.initialize(["protocolVersion": "2025-03-26"]).isFailure)
        state.close()
        #expect(state.admit("ping").isFailure)
    }
}

extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}

@Suite("JSON-RPC batches (2025-03-26 only)")
struct BatchTests {
    @Test func aBatchIsAnsweredOnA20250326Session() async throws {
        let client = TestClient(server: try makeServer())
        await client.initialize(version: "2025-03-26")
        let answer = await client.connection.handleBatch([
            ["jsonrpc": "2.0", "id": 1, "method": "ping"],
            ["jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": "add", "arguments": ["a": 1, "b": 2]]],
            ["jsonrpc": "2.0", "method": "notifications/whatever"],
            ["jsonrpc": "1.0", "id": 3, "method": "ping"],
        ], stream: client.received, principal: .local)
        let responses = try #require(answer?.arrayValue)
        #expect(responses.count == 3)
        let byID = Dictionary(uniqueKeysWithValues: responses.map { ($0["id"]?.description ?? "", $0) })
        #expect(byID["1"]?["result"] == [:])
        #expect(byID["2"]?["result"]?["structuredContent"] == ["sum": 3])
        #expect(byID["3"]?["error"]?["code"] == -32600)
        #expect(await client.connection.handleBatch([["jsonrpc": "2.0", "method": "notifications/x"]], stream: client.received, principal: .local) == nil)
        #expect(await client.connection.handleBatch([], stream: client.received, principal: .local)?["error"]?["code"] == -32600)
    }

    @Test func laterRevisionsRefuseBatches() async throws {
        let client = TestClient(server: try makeServer())
        await client.initialize(version: "2025-06-18")
        let answer = await client.connection.handleBatch([["jsonrpc": "2.0", "id": 1, "method": "ping"]], stream: client.received, principal: .local)
        #expect(answer?["error"]?["code"] == -32600)
        #expect(answer?["error"]?["message"]?.stringValue?.contains("2025-03-26") == true)
    }
}
