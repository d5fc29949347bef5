import Foundation
import OrdinautCore
import OrdinautMCP
import OrdinautScheduler
import OrdinautStore
import ServiceLifecycle

/// The surface of the official MCP conformance suite's reference server ("everything server"), so
/// that `npx @modelcontextprotocol/conformance server --url …/mcp` can score Ordinaut. Registered by
/// `--fixture conformance`; never part of a normal server.
public struct ConformanceFixture: Service {
    static let watchedURI = "test://watched-resource"
    /// A 2×2 orange PNG, generated once; its bytes match `image/png`.
    static let pngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4n8YARAwQCgArFgWVjjyH6QAAAABJRU5ErkJggg=="

    private let server: MCPServer
    private let dynamicToolDelay: Duration
    private let watchedInterval: Duration

    /// Registers the fixture's tools, resources and prompts on `server`. Running the returned service
    /// adds `test_dynamic_tool` shortly afterwards and updates the watched resource periodically.
    public init(server: MCPServer, tasks: MCPTaskService? = nil, dynamicToolDelay: Duration = .milliseconds(500),
                watchedInterval: Duration = .seconds(3)) throws {
        self.server = server
        self.dynamicToolDelay = dynamicToolDelay
        self.watchedInterval = watchedInterval
        try Self.registerTools(on: server)
        if let tasks { try Self.registerTaskTools(on: server, tasks: tasks) }
        try Self.registerResources(on: server)
        try Self.registerPrompts(on: server)
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: dynamicToolDelay)
            try server.tools.register(Tool(
                name: "test_dynamic_tool", description: "A tool registered after the server started",
                inputSchema: ["type": "object", "properties": [:]]
            ) { _, _ in .text("This tool was added dynamically after the server started.") })
            while !Task.isCancelled {
                try await Task.sleep(for: watchedInterval)
                server.resourceUpdated(Self.watchedURI)
            }
        }
    }

    /// A short mono 8 kHz 16-bit WAV (a 440 Hz tone), built in code so its header is exact.
    static var wavBase64: String {
        let sampleRate = 8000, samples = 800
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); append(UInt32(36 + samples * 2))
        data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(1))
        append(UInt32(sampleRate)); append(UInt32(sampleRate * 2)); append(UInt16(2)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(UInt32(samples * 2))
        for i in 0..<samples { append(Int16(sin(Double(i) * 2 * .pi * 440 / Double(sampleRate)) * 8000)) }
        return data.base64EncodedString()
    }

    private static let embedded = ResourceContents(uri: "test://embedded-resource", mimeType: "text/plain",
                                                   text: "This is an embedded resource content.")

    private static func registerTools(on server: MCPServer) throws {
        let empty: JSONValue = ["type": "object", "properties": [:]]
        let tools: [Tool] = [
            Tool(name: "test_simple_text", description: "Returns a simple text response", inputSchema: empty) { _, _ in
                .text("This is a simple text response for testing.")
            },
            Tool(name: "test_image_content", description: "Returns image content", inputSchema: empty) { _, _ in
                ToolResult(content: [.image(data: pngBase64, mimeType: "image/png")])
            },
            Tool(name: "test_audio_content", description: "Returns audio content", inputSchema: empty) { _, _ in
                ToolResult(content: [.audio(data: wavBase64, mimeType: "audio/wav")])
            },
            Tool(name: "test_embedded_resource", description: "Returns an embedded resource", inputSchema: empty) { _, _ in
                ToolResult(content: [.resource(embedded)])
            },
            Tool(name: "test_multiple_content_types", description: "Returns text, image and resource content", inputSchema: empty) { _, _ in
                ToolResult(content: [
                    .text("Multiple content types test:"),
                    .image(data: pngBase64, mimeType: "image/png"),
                    .resource(ResourceContents(uri: "test://mixed-content-resource", mimeType: "application/json",
                                               text: #"{"test":"data","value":123}"#)),
                ])
            },
            Tool(name: "test_tool_with_logging", description: "Sends log notifications while it runs", inputSchema: empty) { _, context in
                for message in ["Tool execution started", "Tool processing data", "Tool execution completed"] {
                    await context.log(.info, .string(message), logger: "conformance")
                    try await Task.sleep(for: .milliseconds(50))
                }
                return .text("Tool with logging executed successfully")
            },
            Tool(name: "test_tool_with_progress", description: "Reports progress while it runs", inputSchema: empty) { _, context in
                for step in [0.0, 50.0, 100.0] {
                    await context.progress(step, total: 100, message: "Completed step \(Int(step)) of 100")
                    try await Task.sleep(for: .milliseconds(50))
                }
                return .text("Tool with progress executed successfully")
            },
            Tool(name: "test_error_handling", description: "Always fails with a tool error", inputSchema: empty) { _, _ in
                .error("This tool intentionally returns an error for testing")
            },
            Tool(
                name: "test_sampling", description: "Asks the client's model to complete a prompt",
                inputSchema: ["type": "object", "properties": ["prompt": ["type": "string", "description": "The prompt to send"]], "required": ["prompt"]]
            ) { arguments, context in
                let prompt = arguments["prompt"]?.stringValue ?? ""
                let answer = try await context.requestInput(key: "sampling", .sampling([
                    "messages": [["role": "user", "content": ["type": "text", "text": .string(prompt)]]],
                    "maxTokens": 100,
                ]))
                let text = answer["content"]?["text"]?.stringValue ?? answer["content"]?.description ?? "(no content)"
                return .text("LLM response: \(text)")
            },
            Tool(
                name: "test_elicitation", description: "Asks the user for information",
                inputSchema: ["type": "object", "properties": ["message": ["type": "string", "description": "What to ask"]], "required": ["message"]]
            ) { arguments, context in
                let answer = try await context.requestInput(key: "elicitation", .elicitation(
                    message: arguments["message"]?.stringValue ?? "",
                    requestedSchema: [
                        "type": "object",
                        "properties": [
                            "username": ["type": "string", "description": "User's response"],
                            "email": ["type": "string", "description": "User's email address"],
                        ],
                        "required": ["username", "email"],
                    ]))
                let action = answer["action"]?.stringValue ?? "unknown"
                return .text("User response: action=\(action), content=\(answer["content"]?.description ?? "{}")")
            },
        ]
        for tool in tools { try server.tools.register(tool) }
    }

    /// The tasks extension's scenario tools: `greet` answers at once; `slow_compute`, `failing_job`
    /// and `protocol_error_job` answer with a task when the client accepts one (and synchronously
    /// otherwise), ending completed, completed with `isError`, and failed with a JSON-RPC error.
    private static func registerTaskTools(on server: MCPServer, tasks: MCPTaskService) throws {
        let optional: JSONValue = ["taskSupport": "optional"]
        @Sendable func answer(_ tool: String, _ context: RequestContext, _ work: @escaping @Sendable () async -> MCPTaskService.LocalOutcome) async throws -> ToolResult {
            if context.acceptsTasks {
                let task: MCPTask
                do throws(StoreError) {
                    task = try await tasks.localTask(tool: tool, owner: context.taskOwner, work)
                } catch {
                    throw ToolError("the task could not be stored: \(error)")
                }
                throw TaskCreated(task)
            }
            switch await work() {
            case .result(let result): return result
            case .error(let error): throw error
            }
        }
        try server.tools.register(Tool(
            name: "greet", description: "Greets someone, synchronously",
            inputSchema: ["type": "object", "required": ["name"], "properties": ["name": ["type": "string"]]]
        ) { arguments, _ in .text("Hello, \(arguments["name"]?.stringValue ?? "world")!") })
        try server.tools.register(Tool(
            name: "slow_compute", description: "Computes for a number of seconds; a task for clients that accept one",
            inputSchema: ["type": "object", "properties": ["seconds": ["type": "number", "minimum": 0, "maximum": 3600]]],
            execution: optional
        ) { arguments, context in
            let seconds = arguments["seconds"]?.doubleValue ?? 2
            return try await answer("slow_compute", context) {
                do {
                    try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                } catch {
                    return .error(.internalError("cancelled"))
                }
                return .result(.text("Computed for \(seconds) seconds."))
            }
        })
        try server.tools.register(Tool(
            name: "failing_job", description: "A job whose result is a tool error", inputSchema: ["type": "object", "properties": [:]],
            execution: optional
        ) { _, context in
            try await answer("failing_job", context) { .result(.error("The job failed.")) }
        })
        try server.tools.register(Tool(
            name: "protocol_error_job", description: "A job that fails with a JSON-RPC error", inputSchema: ["type": "object", "properties": [:]],
            execution: optional
        ) { _, context in
            try await answer("protocol_error_job", context) { .error(RPCError(code: -32603, message: "The job failed with a protocol error.")) }
        })
    }

    private static func registerResources(on server: MCPServer) throws {
        try server.resources.register(Resource(
            uri: "test://static-text", name: "static-text", title: "Static text resource",
            description: "A static text resource for testing", mimeType: "text/plain"
        ) { uri, _, _ in [ResourceContents(uri: uri, mimeType: "text/plain", text: "This is the content of the static text resource.")] })
        try server.resources.register(Resource(
            uri: "test://static-binary", name: "static-binary", title: "Static binary resource",
            description: "A static binary resource (a PNG image)", mimeType: "image/png"
        ) { uri, _, _ in [ResourceContents(uri: uri, mimeType: "image/png", blobBase64: pngBase64)] })
        try server.resources.register(Resource(
            uri: watchedURI, name: "watched-resource", description: "A resource that changes every few seconds",
            mimeType: "text/plain", subscribable: true
        ) { uri, _, _ in [ResourceContents(uri: uri, mimeType: "text/plain", text: "Watched resource content at \(Date().timeIntervalSince1970)")] })
        try server.resources.register(ResourceTemplate(
            uriTemplate: "test://template/{id}/data", name: "template", title: "Resource template",
            description: "A resource template with an id parameter", mimeType: "application/json",
            completers: ["id": { value, _ in ["1", "2", "3", "42", "100"].filter { $0.hasPrefix(value) } }]
        ) { uri, variables, _ in
            let id = variables["id"] ?? ""
            let body: JSONValue = ["id": .string(id), "templateTest": true, "data": .string("Data for ID: \(id)")]
            return [ResourceContents(uri: uri, mimeType: "application/json", text: body.encodedString())]
        })
    }

    private static func registerPrompts(on server: MCPServer) throws {
        try server.prompts.register(Prompt(name: "test_simple_prompt", title: "Simple prompt", description: "A prompt without arguments") { _, _ in
            (nil, [PromptMessage(role: .user, content: .text("This is a simple prompt for testing."))])
        })
        let colours: Completer = { value, _ in ["red", "green", "blue", "paris", "london"].filter { $0.hasPrefix(value.lowercased()) } }
        try server.prompts.register(Prompt(
            name: "test_prompt_with_arguments", title: "Prompt with arguments", description: "A prompt with two required arguments",
            arguments: [PromptArgument(name: "arg1", description: "First test argument", required: true, completer: colours),
                        PromptArgument(name: "arg2", description: "Second test argument", required: true, completer: colours)]
        ) { arguments, _ in
            (nil, [PromptMessage(role: .user, content: .text("Prompt with arguments: arg1='\(arguments["arg1"] ?? "")', arg2='\(arguments["arg2"] ?? "")'"))])
        })
        try server.prompts.register(Prompt(
            name: "test_prompt_with_embedded_resource", title: "Prompt with embedded resource",
            description: "A prompt that embeds a resource",
            arguments: [PromptArgument(name: "resourceUri", description: "URI of the resource to embed", required: true)]
        ) { arguments, _ in
            let uri = arguments["resourceUri"] ?? ""
            return (nil, [
                PromptMessage(role: .user, content: .resource(ResourceContents(uri: uri, mimeType: "text/plain", text: "Embedded resource content for testing."))),
                PromptMessage(role: .user, content: .text("Please process the embedded resource above.")),
            ])
        })
        try server.prompts.register(Prompt(name: "test_prompt_with_image", title: "Prompt with image", description: "A prompt that includes an image") { _, _ in
            (nil, [
                PromptMessage(role: .user, content: .image(data: pngBase64, mimeType: "image/png")),
                PromptMessage(role: .user, content: .text("Please analyze the image above.")),
            ])
        })
    }
}
