import OrdinautCore
import OrdinautJSONSchema
import Synchronization

/// Why a tool could not be registered.
public struct RegistrationError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Every tool the server offers. MCP clients, scheduled pipelines and extensions all call tools
/// through this one registry.
public final class ToolRegistry: Sendable {
    private struct State {
        var byName: [String: RegisteredTool] = [:]
        var nameForWire: [String: String] = [:]
        var sortedCache: [RegisteredTool]?
    }

    private let state = Mutex(State())
    private let changes: ChangeHub

    init(changes: ChangeHub) {
        self.changes = changes
    }

    /// Adds a tool. Its schemas are compiled now, so a broken schema fails here, not at call time.
    public func register(_ tool: Tool) throws(RegistrationError) {
        if let problem = ToolName.problem(with: tool.name) { throw RegistrationError(problem) }
        guard tool.inputSchema["type"] == "object" else {
            throw RegistrationError("tool \"\(tool.name)\": inputSchema must be a JSON Schema with \"type\": \"object\"")
        }
        let input: JSONSchema
        let output: JSONSchema?
        do {
            input = try JSONSchema(tool.inputSchema)
            output = try tool.outputSchema.map { try JSONSchema($0) }
        } catch {
            throw RegistrationError("tool \"\(tool.name)\": \(error)")
        }
        let wire = ToolName.wireName(for: tool.name)
        let entry = RegisteredTool(tool: ToolSpan.wrap(tool), wireName: wire, input: input, output: output)
        let conflict: String? = state.withLock { state in
            if state.byName[tool.name] != nil { return "a tool named \"\(tool.name)\" is already registered" }
            if let owner = state.nameForWire[wire] {
                return "tool \"\(tool.name)\" would be listed as \"\(wire)\", which tool \"\(owner)\" already uses"
            }
            if let owner = state.byName[wire], owner.tool.name != tool.name {
                return "tool \"\(tool.name)\" collides with tool \"\(owner.tool.name)\""
            }
            state.byName[tool.name] = entry
            state.nameForWire[wire] = tool.name
            state.sortedCache = nil
            return nil
        }
        if let conflict { throw RegistrationError(conflict) }
        changes.publish(.toolsListChanged)
    }

    /// Removes a tool by its registry name; returns whether it was there.
    @discardableResult
    public func unregister(_ name: String) -> Bool {
        let removed = state.withLock { state -> Bool in
            guard let entry = state.byName.removeValue(forKey: name) else { return false }
            state.nameForWire[entry.wireName] = nil
            state.sortedCache = nil
            return true
        }
        if removed { changes.publish(.toolsListChanged) }
        return removed
    }

    /// The tool called `name`, in either spelling.
    func lookup(_ name: String) -> RegisteredTool? {
        state.withLock { state in
            if let entry = state.byName[name] { return entry }
            if let registryName = state.nameForWire[name] { return state.byName[registryName] }
            return nil
        }
    }

    /// The arguments of tool `name` that clients mirror into `Mcp-Param-*` headers.
    public func headerBindings(for name: String) -> [HeaderBinding] {
        lookup(name)?.headerBindings ?? []
    }

    /// Whether a tool called `name` (either spelling) is registered.
    public func contains(_ name: String) -> Bool { lookup(name) != nil }

    /// All tools, sorted by wire name so that every node lists them in the same order.
    func all() -> [RegisteredTool] {
        state.withLock { state in
            if let cached = state.sortedCache { return cached }
            let sorted = state.byName.values.sorted { $0.wireName < $1.wireName }
            state.sortedCache = sorted
            return sorted
        }
    }
}

extension ToolRegistry {
    /// The handler of tool `name` (either spelling), for callers that dispatch to a tool directly.
    public func handler(for name: String) -> ToolHandler? {
        lookup(name)?.tool.handler
    }

    /// Every tool's registry name, wire name and descriptor fields, sorted by wire name.
    public func descriptors() -> [(name: String, wireName: String, descriptor: JSONValue)] {
        all().map { ($0.tool.name, $0.wireName, $0.descriptor(version: ProtocolVersion.latestStateless)) }
    }
}

extension ToolRegistry {
    /// The input and output schemas of tool `name` (either spelling), for callers that check
    /// arguments before calling (task pipelines are checked when they are created).
    public func schemas(for name: String) -> (input: JSONValue, output: JSONValue?)? {
        lookup(name).map { ($0.tool.inputSchema, $0.tool.outputSchema) }
    }
}

extension ToolRegistry {
    /// Why `arguments` do not fit the input schema of tool `name`, `nil` when they do, or when no
    /// such tool exists (the call then reports it).
    public func problem(with arguments: JSONValue, for name: String) -> String? {
        guard let entry = lookup(name) else { return nil }
        let check = entry.input.validate(arguments)
        return check.isValid ? nil : check.summary
    }
}
