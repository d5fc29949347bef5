import OrdinautCore

/// One message of a prompt.
public struct PromptMessage: Sendable {
    public enum Role: String, Sendable {
        case user, assistant
    }

    public let role: Role
    public let content: Content

    public init(role: Role, content: Content) {
        self.role = role
        self.content = content
    }

    var json: JSONValue { ["role": .string(role.rawValue), "content": content.json] }
}

/// A declared prompt argument.
public struct PromptArgument: Sendable {
    public let name: String
    public var description: String?
    public var required: Bool
    public var completer: Completer?

    public init(name: String, description: String? = nil, required: Bool = false, completer: Completer? = nil) {
        self.name = name
        self.description = description
        self.required = required
        self.completer = completer
    }
}

/// Produces a prompt's messages from its (validated) arguments.
public typealias PromptHandler = @Sendable (_ arguments: [String: String], _ context: RequestContext) async throws -> (description: String?, messages: [PromptMessage])

/// A prompt template.
public struct Prompt: Sendable {
    public let name: String
    public var title: String?
    public var description: String?
    public var arguments: [PromptArgument]
    public var icons: JSONValue?
    /// The scope a principal needs to see and get this prompt; `nil` is `mcp`.
    public var scope: String?
    public let handler: PromptHandler

    public init(name: String, title: String? = nil, description: String? = nil, arguments: [PromptArgument] = [],
                icons: JSONValue? = nil, scope: String? = nil, handler: @escaping PromptHandler) {
        self.name = name
        self.scope = scope
        self.title = title
        self.description = description
        self.arguments = arguments
        self.icons = icons
        self.handler = handler
    }

    func descriptor(version: String) -> JSONValue {
        var object: JSONObject = ["name": .string(name)]
        if let title, version >= "2025-06-18" { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if !arguments.isEmpty {
            object["arguments"] = .array(arguments.map { argument in
                var entry: JSONObject = ["name": .string(argument.name)]
                if let description = argument.description { entry["description"] = .string(description) }
                entry["required"] = .bool(argument.required)
                return .object(entry)
            })
        }
        if let icons, version >= "2025-11-25" { object["icons"] = icons }
        return .object(object)
    }
}
