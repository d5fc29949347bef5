import OrdinautAuth
import OrdinautCore
import OrdinautMCP

/// Registers an extension's tools, resources and prompts, confined to its namespace: tool and
/// prompt names start with `ext.<id>.`; resource URIs with `ext://<id>/`. A name outside the
/// namespace, or one already taken by anyone, is refused with a message saying so. Everything it
/// registers needs the scope `ext:<id>:tools`, whatever scope it names itself: an extension cannot
/// lower (or raise) what it takes to reach it.
public struct ToolRegistrar: Sendable {
    public let extensionID: String
    /// The tools the manifest declares, by their name inside the extension.
    public let declarations: [String: ToolDeclaration]
    private let server: MCPServer
    private let willRegister: @Sendable (String) -> Void
    private let didRegister: @Sendable (String) -> Void

    /// `willRegister` runs before a tool is added (the host uses it to retire the placeholder of a
    /// tool declared in the manifest); `didRegister` after (bookkeeping for `/ext/status`).
    public init(extensionID: String, server: MCPServer, declarations: [ToolDeclaration] = [],
                willRegister: @escaping @Sendable (String) -> Void = { _ in },
                didRegister: @escaping @Sendable (String) -> Void = { _ in }) {
        self.extensionID = extensionID
        self.declarations = Dictionary(declarations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.server = server
        self.willRegister = willRegister
        self.didRegister = didRegister
    }

    /// The prefix every tool and prompt name of this extension carries.
    public var namespace: String { "ext.\(extensionID)." }

    /// The scope every tool, resource and prompt of this extension needs.
    public var scope: String { Scope.extensionTools(extensionID) }

    public func register(_ tool: Tool) throws(RegistrationError) {
        try checkNamespace(tool.name, kind: "tool")
        var tool = tool
        tool.scope = scope
        willRegister(tool.name)
        try server.tools.register(tool)
        didRegister(tool.name)
    }

    /// Registers the handler of a tool the manifest declares (`"tools": [{"name": …}]`), with the
    /// manifest's title, description and schemas: the manifest stays the one description of the tool.
    public func implement(_ name: String, _ handler: @escaping ToolHandler) throws(RegistrationError) {
        guard let declaration = declarations[name] else {
            throw RegistrationError("extension \"\(extensionID)\" implements tool \"\(name)\", which its manifest does not declare")
        }
        try register(Tool(
            name: namespace + name, title: declaration.title, description: declaration.description,
            inputSchema: declaration.inputSchema, outputSchema: declaration.outputSchema, handler: handler))
    }

    public func register(_ prompt: Prompt) throws(RegistrationError) {
        try checkNamespace(prompt.name, kind: "prompt")
        var prompt = prompt
        prompt.scope = scope
        try server.prompts.register(prompt)
    }

    public func register(_ resource: Resource) throws(RegistrationError) {
        let prefix = "ext://\(extensionID)/"
        guard resource.uri.hasPrefix(prefix) else {
            throw RegistrationError("extension \"\(extensionID)\" may only register resources whose URI starts with \"\(prefix)\", not \"\(resource.uri)\"")
        }
        var resource = resource
        resource.scope = scope
        try server.resources.register(resource)
    }

    /// Tells subscribers that one of this extension's resources changed.
    public func resourceUpdated(_ uri: String) {
        guard uri.hasPrefix("ext://\(extensionID)/") else { return }
        server.resourceUpdated(uri)
    }

    private func checkNamespace(_ name: String, kind: String) throws(RegistrationError) {
        guard name.hasPrefix(namespace), name.count > namespace.count else {
            throw RegistrationError("extension \"\(extensionID)\" may only register \(kind)s named \"\(namespace)…\", not \"\(name)\"")
        }
    }
}

/// A tool as an extension's manifest declares it, so it can be listed before the extension runs.
public struct ToolDeclaration: Sendable {
    /// The name inside the extension (registered as `ext.<id>.<name>`).
    public let name: String
    public let title: String?
    public let description: String?
    public let inputSchema: JSONValue
    public let outputSchema: JSONValue?

    public init(name: String, title: String?, description: String?, inputSchema: JSONValue, outputSchema: JSONValue?) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
    }
}
