import OrdinautExtensionKit

/// A compiled-in extension: a tool, a route, an event per greeting and a background task that
/// counts greetings per minute.
public struct Greeter: Extension {
    public init() {}

    public let info = ExtensionInfo(id: "greeter", name: "Greeter", version: "1.0.0",
                                    description: "Greets people and announces it.")

    public let requestedCapabilities: Set<Capability> = [.routes, .tools, .eventsPublish, .backgroundTasks]

    public func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        let events = try context.events
        try context.tools.register(Tool(
            name: "ext.greeter.hello", title: "Say hello",
            description: "Greets someone by name and publishes event greeted.",
            inputSchema: [
                "type": "object", "required": ["name"], "additionalProperties": false,
                "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100]],
            ],
            outputSchema: ["type": "object", "required": ["greeting"], "properties": ["greeting": ["type": "string"]]]
        ) { arguments, _ in
            let greeting = "Hello, \(arguments["name"]!.stringValue!)!"
            try await events.publish("greeted", ["greeting": .string(greeting)])
            return .structured(["greeting": .string(greeting)])
        })
        try context.background.start("heartbeat") {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(60))
                context.logger.info("greeter is alive")
            }
        }
        let routes = try context.routes()
        routes.get("/hello/{name}") { _, request in
            "Hello, \(try request.parameters.require("name"))!"
        }
        return routes
    }
}
