import HummingbirdTesting
import OrdinautCore
import OrdinautExtEventsDemo
import OrdinautExtensionHost
import OrdinautExtensionKit
import OrdinautTesting
import Testing

/// The built-in events_demo, tested in isolation with the extension test kit.
@Suite("events_demo")
struct EventsDemoTests {
    private func harness(grants: Set<Capability> = [.routes, .tools, .eventsPublish, .eventsSubscribe]) async throws -> ExtensionHarness {
        let manifest = try ExtensionManifest.parse(Array(#"""
        {"id": "events_demo", "name": "E", "version": "1.0.0", "tools": [
          {"name": "publish", "input_schema": {"type": "object", "required": ["stream", "payload"],
            "properties": {"stream": {"type": "string"}, "namespace": {"type": "string"}, "payload": {}}}},
          {"name": "read", "input_schema": {"type": "object", "required": ["stream"],
            "properties": {"stream": {"type": "string"}, "namespace": {"type": "string"}, "after": {"type": "string"}}}}]}
        """#.utf8), origin: "test")
        return try await ExtensionHarness(EventsDemoExtension(), grants: grants, declarations: manifest.tools.map(\.declaration))
    }

    @Test func toolsPublishAndReadBack() async throws {
        let harness = try await harness()
        let published = try await harness.callTool("ext.events_demo.publish", ["stream": "test", "namespace": "custom", "payload": ["n": 1]])
        #expect(published.structuredContent?["event"]?["stream"] == "ext:events_demo:custom:test")
        let read = try await harness.callTool("ext.events_demo.read", ["stream": "test", "namespace": "custom"])
        #expect(read.structuredContent?["events"]?.arrayValue?.first?["payload"] == ["n": 1])
    }

    @Test func routesPublishAndRefuseBadInput() async throws {
        let harness = try await harness()
        try await harness.testRoutes { client in
            try await client.execute(uri: "/ext/events_demo/publish/test", method: .post, body: ByteBuffer(string: #"{"a": 1}"#)) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/ext/events_demo/publish/test", method: .post, body: ByteBuffer(string: "{oops")) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("invalid_json"))
            }
            try await client.execute(uri: "/ext/events_demo/publish/bad%20name", method: .post, body: ByteBuffer(string: "1")) { response in
                #expect(response.status == .badRequest)
            }
        }
        let events = try await harness.bus.read(stream: StreamName(source: "events_demo", namespace: "events", name: "test"), after: nil, limit: 10)
        #expect(events.map(\.payload) == [["a": 1]])
    }

    @Test func withoutEventGrantsSetupFailsNamingTheCapability() async throws {
        do {
            _ = try await harness(grants: [.routes, .tools])
            Issue.record("setup succeeded without EVENTS_PUB/EVENTS_SUB")
        } catch let error as CapabilityError {
            #expect(error.description.contains("EVENTS_PUB"))
        }
    }
}
