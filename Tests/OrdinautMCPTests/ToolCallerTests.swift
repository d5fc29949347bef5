import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import OrdinautTesting
import Synchronization
import Testing

@Suite("The typed in-process call path")
struct ToolCallerTests {
    static let reader = Principal(subject: "token:reader", displayName: "reader", scopes: ScopeSet(["mcp"]), method: .tokensFile)

    /// A server with one tool for each way a call can end.
    func server(rateLimits: RateLimitPolicy = .unlimited, observer: (any MCPObserver)? = nil) throws -> MCPServer {
        let server = MCPServer(configuration: .init(observer: observer, rateLimits: rateLimits))
        try server.tools.register(Tool(
            name: "double", inputSchema: ["type": "object", "properties": ["n": ["type": "integer"]], "required": ["n"]],
            outputSchema: ["type": "object", "properties": ["twice": ["type": "integer"]], "required": ["twice"]]
        ) { arguments, _ in
            .structured(["twice": .integer((arguments["n"]?.integerValue ?? 0) * 2)])
        })
        try server.tools.register(Tool(name: "refuses") { _, _ in throw ToolError("no, thank you") })
        try server.tools.register(Tool(name: "says_error") { _, _ in .error("it went wrong") })
        try server.tools.register(Tool(name: "crashes") { _, _ in throw Unexpected() })
        try server.tools.register(Tool(name: "lies", outputSchema: ["type": "object", "required": ["x"]]) { _, _ in
            .structured(["y": 1])
        })
        try server.tools.register(Tool(name: "guarded", scope: "tasks:write") { _, _ in .text("done") })
        try server.tools.register(Tool(name: "asks") { _, context in
            let answer = try await context.requestInput(key: "name", .elicitation(message: "Who?", requestedSchema: ["type": "object"]))
            return .text(answer.description)
        })
        try server.tools.register(Tool(name: "sleeps") { _, _ in
            try await Task.sleep(for: .seconds(3600))
            return .text("woke")
        })
        try server.tools.register(Tool(name: "meta") { _, context in .structured(.object(context.meta)) })
        return server
    }

    struct Unexpected: Error {}

    @Test func aResultIsTypedWithNoJSONInBetween() async throws {
        let caller = ToolCaller(server: try server(), clientName: "tests")
        guard case .result(let result) = await caller.call("double", arguments: ["n": 21], as: .local) else {
            Issue.record("expected a result")
            return
        }
        #expect(result.structuredContent == ["twice": 42])
        #expect(!result.isError)
        // What a client receives repeats structured content as text.
        #expect(await caller.call("double", arguments: ["n": 1], as: .local).result?.content == [.text(#"{"twice":2}"#)])
    }

    @Test func toolFailuresAreToolErrors() async throws {
        let caller = ToolCaller(server: try server(), clientName: "tests")
        for (tool, text) in [("refuses", "no, thank you"), ("says_error", "it went wrong"), ("crashes", "Tool crashes failed"),
                             ("lies", "does not match its outputSchema")] {
            guard case .toolError(let result) = await caller.call(tool, arguments: [:], as: .local) else {
                Issue.record("expected a tool error from \(tool)")
                continue
            }
            #expect(result.isError)
            #expect(result.content.compactMap(\.plainText).joined().contains(text), "\(tool)")
        }
    }

    @Test func argumentsThatBreakTheSchemaAreInvalidArguments() async throws {
        let caller = ToolCaller(server: try server(), clientName: "tests")
        guard case .invalidArguments(let message) = await caller.call("double", arguments: ["n": "two"], as: .local) else {
            Issue.record("expected invalid arguments")
            return
        }
        #expect(message.contains("Invalid arguments for tool double"))
        #expect(await caller.call("double", arguments: [:], as: .local).result?.isError == true)
    }

    @Test func unknownToolsAreNamed() async throws {
        let outcome = await ToolCaller(server: try server(), clientName: "tests").call("nope", arguments: [:], as: .local)
        guard case .unknownTool(let name) = outcome else {
            Issue.record("expected an unknown tool")
            return
        }
        #expect(name == "nope")
        #expect(outcome.result == nil)
        #expect(outcome.description == "Unknown tool: nope")
    }

    @Test func aMissingScopeIsAProtocolError() async throws {
        let outcome = await ToolCaller(server: try server(), clientName: "tests").call("guarded", arguments: [:], as: Self.reader)
        guard case .protocolError(let refusal) = outcome else {
            Issue.record("expected a scope refusal, got \(outcome)")
            return
        }
        #expect(refusal.code == RPCError.insufficientScopeCode)
        #expect(outcome.description.contains("tasks:write"))
    }

    @Test func theRateLimitAppliesToTypedCallsToo() async throws {
        let caller = ToolCaller(server: try server(rateLimits: RateLimitPolicy(requests: nil, toolCalls: .init(rate: 0.01, burst: 1))),
                                clientName: "tests")
        guard case .result = await caller.call("double", arguments: ["n": 1], as: Self.reader) else {
            Issue.record("the first call is within the limit")
            return
        }
        guard case .protocolError(let limited) = await caller.call("double", arguments: ["n": 1], as: Self.reader) else {
            Issue.record("expected the rate limit")
            return
        }
        #expect(limited.code == RPCError.rateLimitedCode)
    }

    @Test func aToolThatNeedsInputSaysWhich() async throws {
        let outcome = await ToolCaller(server: try server(), clientName: "tests").call("asks", arguments: [:], as: .local)
        // The caller declared no capabilities, so the elicitation is refused before it is asked.
        guard case .protocolError(let error) = outcome else {
            Issue.record("expected a refusal for the missing elicitation capability, got \(outcome)")
            return
        }
        #expect(error.message.contains("elicitation"))
    }

    @Test func aCancelledCallIsCancelled() async throws {
        let caller = ToolCaller(server: try server(), clientName: "tests")
        let call = Task { await caller.call("sleeps", arguments: [:], as: .local) }
        call.cancel()
        guard case .cancelled = await call.value else {
            Issue.record("expected cancelled")
            return
        }
    }

    @Test func theToolSeesTheCallersMeta() async throws {
        let outcome = await ToolCaller(server: try server(), clientName: "tests")
            .call("meta", arguments: [:], as: .local, meta: ["io.ordinaut/run": ["run_id": "r1"]])
        #expect(outcome.result?.structuredContent?["io.ordinaut/run"]?["run_id"] == "r1")
    }

    @Test func typedCallsAreCountedLikeClientCalls() async throws {
        let counter = CallCounter()
        let caller = ToolCaller(server: try server(observer: counter), clientName: "tests")
        _ = await caller.call("double", arguments: ["n": 1], as: .local)
        _ = await caller.call("refuses", arguments: [:], as: .local)
        #expect(counter.calls == ["double success", "refuses error"])
    }

    @Test func theJSONRPCCodecAnswersAsBefore() async throws {
        let client = TestClient(server: try server(), kind: .httpStateless)
        let result = await client.statelessRequest("tools/call", ["name": "double", "arguments": ["n": 2]])?.result
        #expect(result?["structuredContent"] == ["twice": 4])
        let invalid = await client.statelessRequest("tools/call", ["name": "double", "arguments": ["n": "x"]])?.result
        #expect(invalid?["isError"] == true)
        let unknown = await client.statelessRequest("tools/call", ["name": "nope"])?.error
        #expect(unknown?.code == RPCError.invalidParamsCode && unknown?.message == "Invalid params: Unknown tool: nope")
        let asked = await client.statelessRequest("tools/call", ["name": "asks"], capabilities: ["elicitation": [:]])?.result
        #expect(asked?["resultType"] == "input_required")
    }
}

/// Records tool calls as the metrics would see them.
private final class CallCounter: MCPObserver {
    private let recorded = Mutex<[String]>([])

    var calls: [String] { recorded.withLock { $0 } }

    func requestFinished(method: String, failed: Bool, duration: Duration) {}
    func toolCallFinished(tool: String, outcome: ToolCallOutcome, duration: Duration) {
        recorded.withLock { $0.append("\(tool) \(outcome.rawValue)") }
    }
    func rateLimited(surface: String) {}
    func accessDenied(reason: String) {}
}
