import OrdinautCore
@testable import OrdinautMCP
import Testing

@Suite("Tool call results on the wire")
struct ToolCallResultTests {
    static let serverInfo: JSONValue = ["name": "ordinaut", "version": "1"]

    static let results: [ToolResult] = [
        .text("a \"quoted\"\nline\u{2028}"),
        .error("it failed"),
        ToolResult(content: [], structuredContent: ["n": 1, "list": [true, .null]]).forClients,
        ToolResult(content: [.text("annotated", annotations: ["audience": ["user"]]),
                             .image(data: "aGk=", mimeType: "image/png"),
                             .resourceLink(uri: "test://r", name: "r", description: "a link")]),
        ToolResult(content: [.text("with meta")], meta: ["trace": "t1", ProtocolVersion.MetaKey.serverInfo: "stale"]),
        ToolResult(content: []),
    ]

    /// The answer is written without building its JSON; its text must be the JSON's, in both eras.
    @Test("a tool call's answer is its JSON's text", arguments: results, [nil, serverInfo])
    func encodesAsItsJSON(_ result: ToolResult, serverInfo: JSONValue?) throws {
        let response = JSONRPCResponse.success(.number(9), ToolCallResult(result: result, serverInfo: serverInfo))
        #expect(response.encoded() == response.json.encoded())
        let parsed = try JSONParser().parse(response.encoded())
        #expect(parsed == response.json)
    }

    @Test func theStatelessEraAddsItsMembersAndReplacesAToolsServerInfo() throws {
        let result = ToolResult(content: [.text("x")], meta: ["trace": "t1", ProtocolVersion.MetaKey.serverInfo: "stale"])
        let stateless = try JSONParser().parse(JSONRPCResponse.success(.number(1), ToolCallResult(result: result, serverInfo: Self.serverInfo)).encoded())
        #expect(stateless["result"]?["resultType"] == "complete")
        #expect(stateless["result"]?["_meta"] == ["trace": "t1", ProtocolVersion.MetaKey.serverInfo: Self.serverInfo])
        let session = try JSONParser().parse(JSONRPCResponse.success(.number(1), ToolCallResult(result: .text("x"), serverInfo: nil)).encoded())
        #expect(session["result"] == ["content": [["type": "text", "text": "x"]]])
    }
}
