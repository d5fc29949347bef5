import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Ordinaut
import OrdinautCore
import OrdinautHTTP
import OrdinautExtensionKit
import OrdinautMCP
import Testing

/// Drives the real HTTP application over a socket and checks every status code the transport promises.
@Suite("Streamable HTTP")
struct StreamableHTTPTests {
    static func application(maxBodyBytes: Int = 4096, maxSessions: Int = 1000) async throws -> some ApplicationProtocol {
        var configuration = Configuration()
        configuration.port = 0
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxSessions = maxSessions
        configuration.fixture = .conformance
        configuration.databaseURL = "sqlite::memory:"
        return try await buildApplication(configuration: configuration, logger: Logger(label: "test"))
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json", .accept: "application/json, text/event-stream"]

    static func stateless(_ method: String, name: String? = nil) -> HTTPFields {
        var headers = jsonHeaders
        headers[HTTPField.Name("MCP-Protocol-Version")!] = "2026-07-28"
        headers[HTTPField.Name("Mcp-Method")!] = method
        if let name { headers[HTTPField.Name("Mcp-Name")!] = name }
        return headers
    }

    static func body(_ value: JSONValue) -> ByteBuffer { ByteBuffer(bytes: value.encoded()) }

    static let meta: JSONValue = [
        "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": [:],
    ]

    /// The body as JSON; `null` when it is not JSON, which every assertion below then fails on.
    static func json(_ response: TestResponse) -> JSONValue {
        (try? JSONParser().parse(Array(response.body.readableBytesView))) ?? .null
    }

    static let initialize: JSONValue = [
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": ["protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "t", "version": "1"]],
    ]

    @Test func statelessToolCallAnswersJSON() async throws {
        try await Self.application().test(.live) { client in
            let request: JSONValue = ["jsonrpc": "2.0", "id": 7, "method": "tools/call",
                                      "params": ["name": "test_simple_text", "arguments": [:], "_meta": Self.meta]]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("tools/call", name: "test_simple_text"), body: Self.body(request)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let value = Self.json(response)
                #expect(value["result"]?["resultType"] == "complete")
                #expect(value["id"] == 7)
            }
        }
    }

    @Test func statelessHeaderRules() async throws {
        try await Self.application().test(.live) { client in
            let request: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": ["_meta": Self.meta]]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("tools/call"), body: Self.body(request)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["error"]?["code"] == -32020)
            }
            var missing = Self.stateless("tools/list")
            missing[HTTPField.Name("Mcp-Method")!] = nil
            try await client.execute(uri: "/mcp", method: .post, headers: missing, body: Self.body(request)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["error"]?["code"] == -32020)
            }
            let call: JSONValue = ["jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": "test_simple_text", "_meta": Self.meta]]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("tools/call", name: "other"), body: Self.body(call)) { response in
                #expect(Self.json(response)["error"]?["code"] == -32020)
            }
            let unknown: JSONValue = ["jsonrpc": "2.0", "id": 3, "method": "no/such", "params": ["_meta": Self.meta]]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("no/such"), body: Self.body(unknown)) { response in
                #expect(response.status == .notFound)
                #expect(Self.json(response)["error"]?["code"] == -32601)
            }
            let noCaps: JSONValue = ["jsonrpc": "2.0", "id": 4, "method": "tools/list",
                                     "params": ["_meta": ["io.modelcontextprotocol/protocolVersion": "2026-07-28"]]]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("tools/list"), body: Self.body(noCaps)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["error"]?["code"] == -32602)
            }
            var future = Self.stateless("tools/list")
            future[HTTPField.Name("MCP-Protocol-Version")!] = "2099-01-01"
            try await client.execute(uri: "/mcp", method: .post, headers: future, body: Self.body(request)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["error"]?["code"] == -32022)
            }
            let needsElicitation: JSONValue = ["jsonrpc": "2.0", "id": 5, "method": "tools/call",
                                               "params": ["name": "test_elicitation", "arguments": ["message": "hi"], "_meta": Self.meta]]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("tools/call", name: "test_elicitation"), body: Self.body(needsElicitation)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["error"]?["code"] == -32021)
            }
            for method in [HTTPRequest.Method.get, .delete] {
                try await client.execute(uri: "/mcp", method: method, headers: Self.stateless("tools/list")) { response in
                    #expect(response.status == .methodNotAllowed)
                }
            }
            let notification: JSONValue = ["jsonrpc": "2.0", "method": "notifications/whatever"]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("notifications/whatever"), body: Self.body(notification)) { response in
                #expect(response.status == .accepted)
            }
        }
    }

    @Test func progressMakesTheAnswerAStreamWithNotificationsFirst() async throws {
        try await Self.application().test(.live) { client in
            var meta = Self.meta.objectValue!
            meta["progressToken"] = "tok"
            let request: JSONValue = ["jsonrpc": "2.0", "id": 9, "method": "tools/call",
                                      "params": ["name": "test_tool_with_progress", "_meta": .object(meta)]]
            try await client.execute(uri: "/mcp", method: .post, headers: Self.stateless("tools/call", name: "test_tool_with_progress"), body: Self.body(request)) { response in
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                let events = text.components(separatedBy: "\n\n").filter { $0.contains("data: ") }
                #expect(events.count == 4)
                #expect(events.first?.contains("notifications/progress") == true)
                #expect(events.last?.contains("\"id\":9") == true)
            }
        }
    }

    @Test func sessionLifecycleAndStatuses() async throws {
        try await Self.application().test(.live) { client in
            let sessionID = try await client.execute(uri: "/mcp", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["result"]?["protocolVersion"] == "2025-11-25")
                return try #require(response.headers[HTTPField.Name("Mcp-Session-Id")!])
            }
            #expect(sessionID.count == 64)
            var headers = Self.jsonHeaders
            headers[HTTPField.Name("Mcp-Session-Id")!] = sessionID
            headers[HTTPField.Name("MCP-Protocol-Version")!] = "2025-11-25"
            try await client.execute(uri: "/mcp", method: .post, headers: headers, body: Self.body(["jsonrpc": "2.0", "method": "notifications/initialized"])) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/mcp", method: .post, headers: headers, body: Self.body(["jsonrpc": "2.0", "id": 2, "method": "ping"])) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["result"] == [:])
            }
            try await client.execute(uri: "/mcp", method: .post, headers: Self.jsonHeaders, body: Self.body(["jsonrpc": "2.0", "id": 3, "method": "ping"])) { response in
                #expect(response.status == .badRequest)
            }
            var wrongVersion = headers
            wrongVersion[HTTPField.Name("MCP-Protocol-Version")!] = "2025-03-26"
            try await client.execute(uri: "/mcp", method: .post, headers: wrongVersion, body: Self.body(["jsonrpc": "2.0", "id": 4, "method": "ping"])) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/mcp", method: .delete, headers: headers) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/mcp", method: .post, headers: headers, body: Self.body(["jsonrpc": "2.0", "id": 5, "method": "ping"])) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/mcp", method: .delete, headers: headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func sessionLimitIsEnforced() async throws {
        try await Self.application(maxSessions: 1).test(.live) { client in
            try await client.execute(uri: "/mcp", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/mcp", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test func hostileRequestsGetTheirStatus() async throws {
        try await Self.application().test(.live) { client in
            var evilOrigin = Self.jsonHeaders
            evilOrigin[.origin] = "https://evil.example"
            try await client.execute(uri: "/mcp", method: .post, headers: evilOrigin, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .forbidden)
            }
            // Another page on this machine is another origin: only the server's own, or an allowed one, passes.
            var localOrigin = Self.jsonHeaders
            localOrigin[.origin] = "http://localhost:3000"
            try await client.execute(uri: "/mcp", method: .post, headers: localOrigin, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .forbidden)
            }
            let huge = ByteBuffer(string: "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" + String(repeating: "a", count: 10_000) + "\"}}")
            try await client.execute(uri: "/mcp", method: .post, headers: Self.jsonHeaders, body: huge) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/mcp", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["error"]?["code"] == -32700)
                #expect(Self.json(response)["id"] == .null)
            }
            try await client.execute(uri: "/mcp", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(bytes: [0x22, 0xFF, 0x22])) { response in
                #expect(response.status == .badRequest)
            }
            var textPlain = Self.jsonHeaders
            textPlain[.contentType] = "text/plain"
            try await client.execute(uri: "/mcp", method: .post, headers: textPlain, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            var htmlOnly = Self.jsonHeaders
            htmlOnly[.accept] = "text/html"
            try await client.execute(uri: "/mcp", method: .post, headers: htmlOnly, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .notAcceptable)
            }
            var noSession = Self.jsonHeaders
            noSession[.accept] = "text/event-stream"
            try await client.execute(uri: "/mcp", method: .get, headers: noSession) { response in
                #expect(response.status == .badRequest)
            }
            noSession[HTTPField.Name("Mcp-Session-Id")!] = "nope"
            try await client.execute(uri: "/mcp", method: .get, headers: noSession) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/messages?session_id=nope", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.initialize)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["status"] == "ready")
            }
        }
    }
}

@Suite("Mcp-Param headers")
struct HeaderBindingTests {
    @Test func argumentsBoundToHeadersMustMatch() async throws {
        let server = MCPServer()
        try server.tools.register(Tool(
            name: "weather",
            inputSchema: ["type": "object", "properties": [
                "region": ["type": "string", "x-mcp-header": "Region"],
                "days": ["type": "integer", "x-mcp-header": "Days"],
            ]]
        ) { arguments, _ in .text("ok \(arguments["region"]?.stringValue ?? "")") })
        let router = Router(context: ExtensionRequestContext.self)
        let gate = AccessGate(configuration: AccessConfiguration())
        router.add(middleware: AccessMiddleware(gate: gate))
        MCPHTTPEndpoint(server: server, configuration: MCPHTTPConfiguration(), gate: gate, logger: Logger(label: "test")).addRoutes(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            func call(_ headers: [String: String], arguments: JSONValue) async throws -> (HTTPResponse.Status, JSONValue) {
                var fields = StreamableHTTPTests.stateless("tools/call", name: "weather")
                for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
                let body: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                       "params": ["name": "weather", "arguments": arguments, "_meta": StreamableHTTPTests.meta]]
                return try await client.execute(uri: "/mcp", method: .post, headers: fields, body: StreamableHTTPTests.body(body)) { response in
                    (response.status, StreamableHTTPTests.json(response))
                }
            }
            let matching = try await call(["Mcp-Param-Region": "eu-west", "Mcp-Param-Days": "3"], arguments: ["region": "eu-west", "days": 3])
            #expect(matching.0 == .ok)
            #expect(matching.1["result"]?["content"]?.arrayValue?.first?["text"] == "ok eu-west")
            let encoded = try await call(["Mcp-Param-Region": "=?base64?w6lsw6k=?=", "Mcp-Param-Days": "3.0"], arguments: ["region": "élé", "days": 3])
            #expect(encoded.0 == .ok)
            let wrong = try await call(["Mcp-Param-Region": "us-east", "Mcp-Param-Days": "3"], arguments: ["region": "eu-west", "days": 3])
            #expect(wrong.0 == .badRequest)
            #expect(wrong.1["error"]?["code"] == -32020)
            let missing = try await call([:], arguments: ["region": "eu-west"])
            #expect(missing.1["error"]?["code"] == -32020)
            let absent = try await call([:], arguments: [:])
            #expect(absent.0 == .ok)
        }
    }
}
