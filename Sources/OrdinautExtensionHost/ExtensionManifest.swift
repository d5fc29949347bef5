import OrdinautCore
import OrdinautExtensionKit
import OrdinautJSONSchema
import OrdinautMCP
import OrdinautWebhooks

/// A parsed `extension.json` (schema: `protocol/extension-manifest.schema.json`).
public struct ExtensionManifest: Sendable {
    public struct Limits: Sendable, Equatable {
        public var maxInFlight = 16
        public var callTimeout: Duration = .seconds(60)
        public var startupTimeout: Duration = .seconds(10)
        public var shutdownTimeout: Duration = .seconds(10)
    }

    public struct DeclaredTool: Sendable {
        /// The name inside the extension; registered as `ext.<id>.<name>`.
        public var name: String
        public var title: String?
        public var description: String?
        public var inputSchema: JSONValue
        public var outputSchema: JSONValue?
        public var webhook: WebhookRequest?

        public var declaration: ToolDeclaration {
            ToolDeclaration(name: name, title: title, description: description, inputSchema: inputSchema, outputSchema: outputSchema)
        }
    }

    public var id: String
    public var name: String
    public var version: String
    public var description: String?
    public var module: String?
    public var arguments: [String]
    public var environment: [String: String]
    public var enabled: Bool
    public var eager: Bool
    public var grants: Set<Capability>
    public var requests: Set<Capability>?
    public var subscriptions: [String]
    public var tools: [DeclaredTool]
    public var limits: Limits
    /// Where it came from (a file path, or `built-in:<id>`), for messages.
    public var origin: String

    /// The manifest schema, compiled once.
    static let schema = compiled(EmbeddedResource.json("protocol/extension-manifest.schema.json"))

    /// The rules for an extension id (the schema's `/properties/id`), for compiled-in extensions of a
    /// custom build, which have no manifest.
    static let idSchema = compiled(EmbeddedResource.json("protocol/extension-manifest.schema.json")["properties"]!["id"]!)

    private static func compiled(_ document: JSONValue) -> JSONSchema {
        do {
            return try JSONSchema(document)
        } catch {
            preconditionFailure("the embedded manifest schema does not compile: \(error)")
        }
    }

    /// Why `id` cannot name an extension, or nil when it can.
    public static func problem(withID id: String) -> String? {
        guard !idSchema.validate(.string(id)).isValid else { return nil }
        return "id \"\(id)\" must be lower-case letters and digits in words joined by single \"_\", at most 48 characters, and not \"status\" (a \"__\" would give two extensions' tools the same wire name)"
    }

    /// The largest manifest accepted.
    public static let maximumBytes = 1 << 20

    /// Parses and validates a manifest. Every problem is reported with its location.
    public static func parse(_ bytes: [UInt8], origin: String) throws(ManifestError) -> ExtensionManifest {
        guard bytes.count <= maximumBytes else {
            throw ManifestError(origin: origin, problems: ["the manifest is \(bytes.count) bytes; the limit is \(maximumBytes)"])
        }
        let document: JSONValue
        do {
            document = try JSONParser().parse(bytes)
        } catch {
            throw ManifestError(origin: origin, problems: ["not valid JSON: \(error)"])
        }
        let result = schema.validate(document)
        guard result.isValid else {
            throw ManifestError(origin: origin, problems: result.errors.map(\.description))
        }
        return try ExtensionManifest(document.objectValue!, origin: origin)
    }

    private init(_ object: JSONObject, origin: String) throws(ManifestError) {
        self.origin = origin
        id = object["id"]!.stringValue!
        name = object["name"]!.stringValue!
        version = object["version"]!.stringValue!
        description = object["description"]?.stringValue
        module = object["module"]?.stringValue
        arguments = object["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        environment = (object["env"]?.objectValue?.members ?? []).reduce(into: [:]) { $0[$1.key] = $1.value.stringValue }
        enabled = object["enabled"]?.boolValue ?? true
        eager = object["eager"]?.boolValue ?? false
        grants = Self.capabilities(object["grants"])
        requests = object["requests"].map { Self.capabilities($0) }
        subscriptions = object["subscriptions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        limits = Limits()
        if let limits = object["limits"]?.objectValue {
            if let value = limits["max_in_flight"]?.integerValue.map(Int.init) { self.limits.maxInFlight = value }
            if let value = limits["call_timeout_seconds"]?.doubleValue { self.limits.callTimeout = .seconds(value) }
            if let value = limits["startup_timeout_seconds"]?.doubleValue { self.limits.startupTimeout = .seconds(value) }
            if let value = limits["shutdown_timeout_seconds"]?.doubleValue { self.limits.shutdownTimeout = .seconds(value) }
        }
        var problems: [String] = []
        var seen = Set<String>()
        tools = []
        for (index, entry) in (object["tools"]?.arrayValue ?? []).enumerated() {
            let tool = entry.objectValue!
            let toolName = tool["name"]!.stringValue!
            if !seen.insert(toolName).inserted { problems.append("/tools/\(index)/name: tool \"\(toolName)\" is declared twice") }
            if let problem = ToolNameCheck.problem(extensionID: id, toolName: toolName) {
                problems.append("/tools/\(index)/name: \(problem)")
            }
            var input = tool["input_schema"] ?? ["type": "object"]
            if input["type"] == nil, var inputObject = input.objectValue {
                inputObject["type"] = "object"
                input = .object(inputObject)
            }
            if input["type"] != "object" { problems.append("/tools/\(index)/input_schema: must have \"type\": \"object\"") }
            tools.append(DeclaredTool(
                name: toolName, title: tool["title"]?.stringValue, description: tool["description"]?.stringValue,
                inputSchema: input, outputSchema: tool["output_schema"],
                webhook: tool["webhook"]?.objectValue.map(Self.webhook)))
        }
        if module != nil, tools.contains(where: { $0.webhook != nil }) {
            problems.append("/tools: a manifest with \"module\" cannot also declare webhook tools; split them into two extensions")
        }
        if !problems.isEmpty { throw ManifestError(origin: origin, problems: problems) }
    }

    private static func capabilities(_ value: JSONValue?) -> Set<Capability> {
        Set((value?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Capability.init(rawValue:)) })
    }

    private static func webhook(_ object: JSONObject) -> WebhookRequest {
        WebhookRequest(
            url: object["url"]!.stringValue!,
            method: object["method"]?.stringValue ?? "POST",
            headers: (object["headers"]?.objectValue?.members ?? []).map { ($0.key, $0.value.stringValue ?? "") },
            body: object["body"],
            timeout: .seconds(object["timeout_seconds"]?.doubleValue ?? 30),
            secrets: (object["secrets"]?.objectValue?.members ?? []).reduce(into: [:]) { $0[$1.key] = $1.value.stringValue },
            maxResponseBytes: object["max_response_bytes"]?.integerValue.map(Int.init) ?? 1 << 20)
    }

    /// The module's absolute path, which must be an executable file inside the extension's folder.
    public static func executable(_ module: String, in folder: String, manifestPath: String) throws(ManifestError) -> String {
        try Discovery.executable(module, in: folder, manifestPath: manifestPath)
    }

    /// The registry name of a declared tool.
    public func registryName(of tool: String) -> String { "ext.\(id).\(tool)" }
}

/// A manifest that cannot be used, with every problem found and where.
public struct ManifestError: Error, Sendable, CustomStringConvertible {
    public let origin: String
    public let problems: [String]

    public init(origin: String, problems: [String]) {
        self.origin = origin
        self.problems = problems
    }

    public var description: String {
        problems.count == 1 ? "\(origin): \(problems[0])" : "\(origin):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

enum ToolNameCheck {
    /// Why `ext.<id>.<toolName>` cannot be registered, or `nil`.
    static func problem(extensionID: String, toolName: String) -> String? {
        ToolName.problem(with: "ext.\(extensionID).\(toolName)")
    }
}
