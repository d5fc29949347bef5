import Greeter
import OrdinautExtensionKit
import OrdinautTesting
import Testing

@Suite("Greeter")
struct GreeterTests {
    @Test func helloGreetsAndPublishes() async throws {
        let harness = try await ExtensionHarness(Greeter(), grants: [.routes, .tools, .eventsPublish, .backgroundTasks])
        let result = try await harness.callTool("ext.greeter.hello", ["name": "Ada"])
        #expect(result.structuredContent?["greeting"] == "Hello, Ada!")
        let events = try await harness.bus.read(stream: StreamName(source: "greeter", namespace: "events", name: "greeted"), after: nil, limit: 10)
        #expect(events.map(\.payload) == [["greeting": "Hello, Ada!"]])
        try await harness.testRoutes { client in
            try await client.execute(uri: "/ext/greeter/hello/Grace", method: .get) { response in
                #expect(String(buffer: response.body) == "Hello, Grace!")
            }
        }
        #expect(harness.supervisor.list(owner: "greeter").map(\.name) == ["heartbeat"])
        await harness.tearDown()
    }

    @Test func withoutBackgroundTasksSetupFailsNamingTheGrant() async throws {
        await #expect(throws: CapabilityError.self) {
            _ = try await ExtensionHarness(Greeter(), grants: [.routes, .tools, .eventsPublish])
        }
    }
}
