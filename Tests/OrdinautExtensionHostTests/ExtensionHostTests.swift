import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Ordinaut
import OrdinautAuth
import OrdinautCore
import OrdinautExtensionHost
import OrdinautExtensionKit
import OrdinautMCP
import OrdinautTesting
import Synchronization
import Testing

private func json(_ response: TestResponse) throws -> JSONValue {
    try JSONParser().parse(Array(response.body.readableBytesView))
}

@Suite("Extension host over HTTP")
struct ExtensionHostTests {
    private func custom(_ probe: ProbeExtension, grants: String? = nil, configure: @escaping @Sendable (inout Configuration) -> Void = { _ in }) -> (inout Configuration) -> Void {
        { configuration in
            if let grants { configuration.extensions.entryGrants[probe.id] = Set(grants.split(separator: ",").compactMap { Capability(rawValue: String($0)) }) }
            configure(&configuration)
        }
    }

    @Test func concurrentFirstRequestsActivateOnceAndAreServed() async throws {
        let probe = ProbeExtension()
        try await withOrdinautApplication(extensions: [CompiledExtension { probe }], configure: custom(probe, grants: "ROUTES")) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.execute(uri: "/ext/probe/hello", method: .get) { response in
                            #expect(response.status == .ok)
                            #expect(String(buffer: response.body) == "hello from probe")
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await client.execute(uri: "/ext/status", method: .get) { response in
                let status = try json(response)["extensions"]?["probe"]
                #expect(status?["state"] == "active")
                #expect(status?["metrics"]?["requests"] == 8)
                #expect(status?["loaded_ms"]?.doubleValue != nil)
            }
        }
        #expect(probe.setups.count == 1)
    }

    @Test func grantsAreRequestedIntersectedWithConfigured() async throws {
        let probe = ProbeExtension(requestedCapabilities: [.routes, .tools])
        try await withOrdinautApplication(extensions: [CompiledExtension { probe }], configure: custom(probe, grants: "ROUTES,EVENTS_PUB")) { client in
            try await client.execute(uri: "/ext/status", method: .get) { response in
                let capabilities = try json(response)["extensions"]?["probe"]?["capabilities"]
                #expect(capabilities?["requested"] == ["ROUTES", "TOOLS"])
                #expect(capabilities?["granted"] == ["ROUTES"])
            }
        }
    }

    @Test func noConfiguredGrantsMeansNoCapabilities() async throws {
        let probe = ProbeExtension()
        try await withOrdinautApplication(extensions: [CompiledExtension { probe }]) { client in
            try await client.execute(uri: "/ext/probe/hello", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response)
                #expect(body["error"] == "extension_error")
                let message = body["details"]?["message"]?.stringValue ?? ""
                #expect(message.contains("ROUTES") && message.contains("ORDINAUT_EXT_ENTRY_GRANTS"), "\(message)")
            }
        }
    }

    @Test func usingAnUngrantedCapabilityNamesItAndTheGrantToChange() async throws {
        let probe = ProbeExtension(requestedCapabilities: [.routes, .tools], behaviour: .useTools)
        try await withOrdinautApplication(extensions: [CompiledExtension { probe }], configure: custom(probe, grants: "ROUTES")) { client in
            try await client.execute(uri: "/ext/probe/hello", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let details = try json(response)["details"]
                #expect(details?["phase"] == "setup")
                #expect(details?["message"]?.stringValue?.contains("used capability TOOLS, which it was not granted") == true)
            }
        }
    }

    @Test func aFailingExtensionLeavesTheOthersRunning() async throws {
        let broken = ProbeExtension(id: "broken", behaviour: .failSetup)
        let fine = ProbeExtension(id: "fine")
        try await withOrdinautApplication(
            extensions: [CompiledExtension { broken }, CompiledExtension { fine }],
            configure: { $0.extensions.entryGrants = ["broken": [.routes], "fine": [.routes]] }
        ) { client in
            try await client.execute(uri: "/ext/broken/hello", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response)
                #expect(body["details"]?["message"]?.stringValue?.contains("the database is unreachable") == true)
            }
            try await client.execute(uri: "/ext/fine/hello", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ext/broken/health", method: .get) { response in
                let health = try json(response)
                #expect(health["state"] == "error")
                #expect(health["healthy"] == false)
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aHangingSetupTimesOut() async throws {
        let probe = ProbeExtension(behaviour: .hangSetup)
        try await withOrdinautApplication(extensions: [CompiledExtension { probe }], configure: custom(probe, grants: "ROUTES") {
            $0.extensions.hookTimeout = .milliseconds(300)
        }) { client in
            try await client.execute(uri: "/ext/probe/hello", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response)
                #expect(body["details"]?["message"]?.stringValue?.contains("did not finish within 0.3 s") == true)
            }
        }
    }

    @Test func unknownExtensionsAndRoutesGetTheErrorBody() async throws {
        try await withOrdinautApplication { client in
            try await client.execute(uri: "/ext/nothing/here", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try json(response)
                #expect(body["error"] == "not_found")
                #expect(body["details"]?["available"]?.arrayValue?.contains("events_demo") == true)
            }
            try await client.execute(uri: "/ext/events_demo/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try json(response)
                #expect(body["error"] == "not_found")
            }
        }
    }

    @Test func statusExtensionsAndToolsDescribeTheBuiltIns() async throws {
        try await withOrdinautApplication { client in
            try await client.execute(uri: "/ext/status", method: .get) { response in
                let status = try json(response)
                #expect(status["extensions"]?["events_demo"]?["state"] == "lazy")
                #expect(status["extensions"]?["mcp_http"]?["eager"] == true)
                #expect(status["discovery"]?["sources"]?.arrayValue?.first?["kind"] == "builtin")
                #expect(status["totals"]?["discovered"] == 4)
                #expect(status["events"]?["backend"] == "memory")
            }
            try await client.execute(uri: "/extensions", method: .get) { response in
                let body = try json(response)
                #expect(body.arrayValue?.compactMap { $0["id"]?.stringValue } == ["events_demo", "mcp_http", "observability", "webui"])
            }
            try await client.execute(uri: "/tools", method: .get) { response in
                let tools = try json(response)["tools"]?.arrayValue ?? []
                let publish = tools.first { $0["name"] == "ext.events_demo.publish" }
                #expect(publish?["wire_name"] == "ext__events_demo__publish")
                #expect(publish?["extension"] == "events_demo")
            }
        }
    }

    @Test func aDeclaredToolActivatesItsExtensionOnFirstCall() async throws {
        try await withOrdinautApplication { client in
            let call: JSONValue = [
                "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": ["name": "ext__events_demo__publish", "arguments": ["stream": "s", "payload": ["k": 1]],
                           "_meta": .object(TestClient.statelessMeta())],
            ]
            let headers: HTTPFields = [
                .contentType: "application/json", .accept: "application/json, text/event-stream",
                HTTPField.Name("MCP-Protocol-Version")!: "2026-07-28", HTTPField.Name("Mcp-Method")!: "tools/call",
                HTTPField.Name("Mcp-Name")!: "ext__events_demo__publish",
            ]
            // Through the mcp_http extension's endpoint, the same engine as /mcp.
            try await client.execute(uri: "/ext/mcp_http", method: .post, headers: headers, body: ByteBuffer(bytes: call.encoded())) { response in
                #expect(response.status == .ok)
                let result = try json(response)["result"]
                #expect(result?["isError"] == nil)
                #expect(result?["structuredContent"]?["event"]?["stream"] == "ext:events_demo:events:s")
            }
            try await client.execute(uri: "/ext/status", method: .get) { response in
                let body = try json(response)
                #expect(body["extensions"]?["events_demo"]?["state"] == "active")
            }
        }
    }

    @Test func scopedRoutesNeedACredentialNotAnAssertedHeader() async throws {
        let secret = String(repeating: "s", count: 40)
        let token = "token-for-ci"
        let tokensFile = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString).json").path
        try Data(#"{"tokens": [{"name": "ci", "sha256": "\#(TokenDigest.hex(of: token))", "scopes": ["ext:events_demo:routes"]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: tokensFile))
        defer { try? FileManager.default.removeItem(atPath: tokensFile) }
        let tokens = try TokensFileAuthenticator(contentsOf: tokensFile)
        try await withOrdinautApplication(configure: {
            $0.access.requireScopes = true
            $0.access.tokens = tokens
            $0.access.proxySecret = secret
        }) { client in
            let uri = "/ext/events_demo/publish/s"
            let scopes = HTTPField.Name("X-Scopes")!
            try await client.execute(uri: uri, method: .post, headers: [scopes: "ext:events_demo:routes"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer wrong"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/ext/mcp_http", method: .post, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .forbidden)
                let body = try json(response)
                // An MCP endpoint refuses in JSON-RPC, naming the scope, with the step-up challenge.
                #expect(body["error"]?["data"]?["requiredScope"] == "ext:mcp_http:routes")
                #expect(response.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
            }
            try await client.execute(uri: uri, method: .post, headers: [scopes: "ext:events_demo:routes", HTTPField.Name("X-Ordinaut-Proxy-Secret")!: secret]) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: uri, method: .post, headers: [scopes: "ext:events_demo:routes", HTTPField.Name("X-Ordinaut-Proxy-Secret")!: "guess"]) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func compiledInIdsThatWouldShareWireNamesAreRefusedAtDiscoveryNamingBothCandidates() async throws {
        let ambiguous = { var probe = ProbeExtension(); probe.id = "a__b"; return probe }()
        let twin = { var probe = ProbeExtension(); probe.id = "events_demo"; return probe }()
        try await withOrdinautApplication(extensions: [CompiledExtension { ambiguous }, CompiledExtension { twin }]) { client in
            try await client.execute(uri: "/ext/status", method: .get) { response in
                let status = try json(response)
                let problems = status["discovery"]?["problems"]?.arrayValue ?? []
                let refusedID = problems.first { $0["message"]?.stringValue?.hasPrefix("/id: id \"a__b\"") == true }
                #expect(refusedID?["origin"]?.stringValue == "compiled-in extension \"a__b\"", "\(problems)")
                let clash = problems.first { $0["message"]?.stringValue?.contains("\"events_demo\" is already used") == true }?["message"]?.stringValue
                #expect(clash?.contains("extensions/events_demo/extension.json") == true, "\(problems)")
                #expect(clash?.contains("compiled-in extension \"events_demo\"") == true, "\(problems)")
                #expect(status["extensions"]?["a__b"] == nil)
            }
        }
    }

    @Test func pathsWithBadManifestsReportEachProblemAndLoadTheRest() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ext-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ folder: String, _ manifest: String, module: (String, Bool)? = nil) throws {
            try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
            try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(root)/\(folder)/extension.json"))
            if let (name, executable) = module {
                let path = "\(root)/\(folder)/\(name)"
                try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: path))
                try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
            }
        }
        try write("a_garbage", "{not json")
        try write("b_missing_module", #"{"id": "b", "name": "B", "version": "1.0.0", "module": "nothere.sh"}"#)
        try write("c_not_executable", #"{"id": "c", "name": "C", "version": "1.0.0", "module": "run.sh"}"#, module: ("run.sh", false))
        try write("d_escape", #"{"id": "d", "name": "D", "version": "1.0.0", "module": "../../bin/sh"}"#)
        try write("e_clash", #"{"id": "events_demo", "name": "E", "version": "1.0.0", "module": "run.sh"}"#, module: ("run.sh", true))
        try write("f_good", #"{"id": "f", "name": "F", "version": "1.0.0", "module": "run.sh", "grants": ["TOOLS"]}"#, module: ("run.sh", true))
        try await withOrdinautApplication(configure: { $0.extensions.paths = [root] }) { client in
            try await client.execute(uri: "/ext/status", method: .get) { response in
                let status = try json(response)
                let problems = status["discovery"]?["problems"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
                #expect(problems.count == 5, "\(problems)")
                #expect(problems.contains { $0.contains("not valid JSON") })
                #expect(problems.contains { $0.contains("does not exist") })
                #expect(problems.contains { $0.contains("is not executable") })
                #expect(problems.contains { $0.contains("outside the extension's folder") })
                #expect(problems.contains { $0.contains("\"events_demo\" is already used") })
                #expect(status["extensions"]?["f"]?["kind"] == "subprocess")
                #expect(status["extensions"]?["f"]?["capabilities"]?["granted"] == ["TOOLS"])
            }
        }
    }
}

@Suite("Extension registrar and background tasks")
struct RegistrarAndSupervisorTests {
    @Test func theRegistrarKeepsExtensionsInTheirNamespace() async throws {
        let server = MCPServer()
        let registrar = ToolRegistrar(extensionID: "x", server: server)
        #expect(throws: RegistrationError.self) { try registrar.register(Tool(name: "ext.y.tool") { _, _ in .text("") }) }
        #expect(throws: RegistrationError.self) { try registrar.register(Tool(name: "tool") { _, _ in .text("") }) }
        #expect(throws: RegistrationError.self) { try registrar.register(Tool(name: "ext.x.") { _, _ in .text("") }) }
        try registrar.register(Tool(name: "ext.x.tool") { _, _ in .text("") })
        #expect(throws: RegistrationError.self) { try registrar.register(Tool(name: "ext.x.tool") { _, _ in .text("") }) }
        #expect(throws: RegistrationError.self) { try registrar.implement("undeclared") { _, _ in .text("") } }
    }

    @Test func crashedTasksRestartWithBackoffAndStopOnRequest() async throws {
        let supervisor = TaskSupervisor(backoff: Backoff(base: .milliseconds(10), cap: .milliseconds(40)))
        let runs = Mutex(0)
        struct Crash: Error {}
        try supervisor.start(owner: "x", name: "worker") {
            runs.withLock { $0 += 1 }
            throw Crash()
        }
        #expect(throws: SupervisorError.self) { try supervisor.start(owner: "x", name: "worker") {} }
        while runs.withLock({ $0 }) < 4 { try await Task.sleep(for: .milliseconds(10)) }
        let status = supervisor.list(owner: "x")[0]
        #expect(status.restarts >= 3)
        #expect(status.lastError?.contains("Crash") == true)
        let late = await supervisor.stopAll(owner: "x", within: .seconds(2))
        #expect(late.isEmpty)
        #expect(supervisor.list(owner: "x")[0].state == .stopped)
    }

    @Test func aTaskThatIgnoresCancellationIsReportedLate() async throws {
        let supervisor = TaskSupervisor()
        let started = Mutex(false)
        try supervisor.start(owner: "x", name: "stubborn") {
            started.withLock { $0 = true }
            // Waits a second whatever happens: cancellation does not reach a plain continuation.
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + 1) { continuation.resume() }
            }
        }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        let late = await supervisor.stopAll(owner: "x", within: .milliseconds(50))
        #expect(late == ["x/stubborn"])
    }

    @Test func backoffFollowsTheDocumentedRanges() {
        let backoff = Backoff(base: .seconds(1), cap: .seconds(60))
        var generator = SystemRandomNumberGenerator()
        for (attempt, low, high) in [(1, 0.5, 1.0), (2, 1.0, 2.0), (3, 2.0, 4.0), (10, 30.0, 60.0), (100, 30.0, 60.0)] {
            for _ in 0..<50 {
                let wait = backoff.delay(attempt: attempt, using: &generator)
                let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
                #expect(seconds >= low && seconds <= high, "attempt \(attempt): \(seconds)")
            }
        }
    }
}

@Suite("Eager extensions where no routes are served")
struct UnservedRoutesTests {
    /// `ordinaut stdio` and `ordinaut tools` serve no routes: an eager extension granted only
    /// `ROUTES` would have nothing to do there and is not started, while one granted more is.
    @Test func onlyExtensionsWithSomethingToDoStartEagerly() async throws {
        let routesOnly = ProbeExtension(id: "routes_only")
        let withTools = ProbeExtension(id: "with_tools", requestedCapabilities: [.routes, .tools])
        var configuration = try Configuration(environment: ["ORDINAUT_DATA_DIR": NSTemporaryDirectory() + "ordinaut-unserved-\(UUID())"])
        configuration.extensions.routesServed = false
        configuration.extensions.entryGrants = ["routes_only": [.routes], "with_tools": [.routes, .tools]]
        configuration.extensions.entryEager = ["routes_only": true, "with_tools": true]
        let engine = try await buildEngine(configuration: configuration, extensions: [CompiledExtension { routesOnly }, CompiledExtension { withTools }],
                                           logger: Logger(label: "test"))
        await engine.extensions.activateEager()
        #expect(routesOnly.setups.count == 0)
        #expect(withTools.setups.count == 1)
        await engine.extensions.shutdown()
    }
}
