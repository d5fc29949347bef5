import OrdinautCore
import OrdinautMCP
import OrdinautTesting
import Testing

@Suite("Content, resources and prompts")
struct ContentTests {
    @Test func everyContentTypeHasItsWireShape() {
        let blocks: [Content] = [
            .text("hi", annotations: ["audience": ["user"]]),
            .image(data: "AAAA", mimeType: "image/png"),
            .audio(data: "BBBB", mimeType: "audio/wav"),
            .resourceLink(uri: "file:///a.txt", name: "a", description: "the a file", mimeType: "text/plain"),
            .resource(ResourceContents(uri: "x://b", mimeType: nil, blobBase64: "CCCC")),
        ]
        let json = blocks.map(\.json)
        #expect(json.map { $0["type"] } == ["text", "image", "audio", "resource_link", "resource"])
        #expect(json[0]["annotations"]?["audience"] == ["user"])
        #expect(json[3]["uri"] == "file:///a.txt" && json[3]["name"] == "a")
        #expect(json[4]["resource"]?["blob"] == "CCCC" && json[4]["resource"]?["text"] == nil)
    }

    @Test func uriTemplatesMatchOneSegmentPerVariable() throws {
        let template = try URITemplate("test://template/{id}/data")
        #expect(template.match("test://template/42/data") == ["id": "42"])
        #expect(template.match("test://template/4/2/data") == nil)
        #expect(template.match("test://template//data") == nil)
        #expect(template.match("test://template/42/data/more") == nil)
        #expect(throws: RegistrationError.self) { try URITemplate("x://{unclosed") }
    }

    @Test func promptsCheckRequiredArgumentsAndComplete() async throws {
        let server = MCPServer()
        try server.prompts.register(Prompt(
            name: "greet", arguments: [PromptArgument(name: "who", required: true, completer: { value, _ in ["world", "wide"].filter { $0.hasPrefix(value) } })]
        ) { arguments, _ in (nil, [PromptMessage(role: .user, content: .text("hello \(arguments["who"]!)"))]) })
        let client = TestClient(server: server)
        await client.initialize()
        #expect(await client.request("prompts/get", ["name": "greet"])?.error?.code == -32602)
        #expect(await client.request("prompts/get", ["name": "greet", "arguments": ["who": 1]])?.error?.code == -32602)
        let got = await client.request("prompts/get", ["name": "greet", "arguments": ["who": "you"]])
        #expect(got?.result?["messages"]?.arrayValue?.first?["content"]?["text"] == "hello you")
        let completion = await client.request("completion/complete", ["ref": ["type": "ref/prompt", "name": "greet"], "argument": ["name": "who", "value": "wo"]])
        #expect(completion?.result?["completion"]?["values"] == ["world"])
        #expect(await client.request("completion/complete", ["ref": ["type": "ref/nope"], "argument": ["name": "a", "value": ""]])?.error?.code == -32602)
    }

    @Test func subscriptionsDeliverUpdatesOnlyForSubscribedURIs() async throws {
        let server = MCPServer()
        try server.resources.register(Resource(uri: "x://watched", name: "w", subscribable: true) { uri, _, _ in
            [ResourceContents(uri: uri, mimeType: "text/plain", text: "now")]
        })
        let client = TestClient(server: server)
        await client.initialize()
        #expect(await client.request("resources/subscribe", ["uri": "x://missing"])?.error?.code == -32002)
        #expect(await client.request("resources/subscribe", ["uri": "x://watched"])?.result == [:])
        server.resourceUpdated("x://other")
        server.resourceUpdated("x://watched")
        #expect(await client.connection.outbox.receive()?["params"]?["uri"] == "x://watched")
        #expect(await client.request("resources/unsubscribe", ["uri": "x://watched"])?.result == [:])
    }
}
