import OrdinautCore
import OrdinautExtensionHost
import Testing

@Suite("Extension manifests")
struct ManifestTests {
    private func parse(_ text: String) throws(ManifestError) -> ExtensionManifest {
        try ExtensionManifest.parse(Array(text.utf8), origin: "test/extension.json")
    }

    @Test func theSeedsExampleParses() throws {
        let manifest = try parse("""
        {"id": "my_extension", "name": "My Custom Extension", "version": "1.0.0",
         "description": "Description of extension functionality", "module": "extension.py",
         "enabled": true, "eager": false, "grants": ["ROUTES", "TOOLS"]}
        """)
        #expect(manifest.id == "my_extension")
        #expect(manifest.grants == [.routes, .tools])
        #expect(manifest.module == "extension.py")
        #expect(!manifest.eager && manifest.enabled)
    }

    @Test func missingGrantsGrantNothing() throws {
        let manifest = try parse(#"{"id": "x", "name": "X", "version": "1.0.0"}"#)
        #expect(manifest.grants.isEmpty)
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        (#"{"name": "X", "version": "1.0.0"}"#, "id"),
        (#"{"id": "x", "name": "X", "version": "1.0.0", "colour": "red"}"#, "colour"),
        (#"{"id": "x", "name": "X", "version": "1.0.0", "grants": ["ROOT"]}"#, "/grants/0"),
        (#"{"id": "status", "name": "X", "version": "1.0.0"}"#, "/id"),
        (#"{"id": "Bad-Id", "name": "X", "version": "1.0.0"}"#, "/id"),
        (#"{"id": "x", "name": "X", "version": "one"}"#, "/version"),
        (#"{"id": "x", "name": "X", "version": "1.0.0", "tools": [{"name": "a"}, {"name": "a"}]}"#, "declared twice"),
        (#"{"id": "x", "name": "X", "version": "1.0.0", "tools": [{"name": "a b"}]}"#, "/tools/0/name"),
        (#"{"id": "x", "name": "X", "version": "1.0.0", "module": "m", "tools": [{"name": "a", "webhook": {"url": "http://x"}}]}"#, "cannot also declare webhook"),
        (#"{"id": "x", "name": "X", "version": "1.0.0", "tools": [{"name": "a", "webhook": {"url": "ftp://x"}}]}"#, "/tools/0/webhook/url"),
    ])
    func badManifestsSayWhatAndWhere(text: String, expected: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.hasPrefix("test/extension.json"))
        }
    }

    @Test func oversizedManifestsAreRefusedUnread() {
        let huge = Array(repeating: UInt8(ascii: " "), count: ExtensionManifest.maximumBytes + 1)
        #expect(throws: ManifestError.self) { try ExtensionManifest.parse(huge, origin: "big") }
    }

    @Test func declaredToolsGetTheirNamespaceAndAnObjectSchema() throws {
        let manifest = try parse(#"{"id": "notes", "name": "N", "version": "1.0.0", "tools": [{"name": "add", "input_schema": {"properties": {}}}]}"#)
        #expect(manifest.registryName(of: "add") == "ext.notes.add")
        #expect(manifest.tools[0].inputSchema["type"] == "object")
    }
}
