import OrdinautCore

/// An MCP task as stored: either backed by a run chain (`rootDueId`: its status is the latest run's)
/// or run in process by a tool (its status, result or error stored here).
public struct MCPTaskRow: Sendable {
    public var id: String
    public var owner: String?
    public var tool: String
    public var rootDueId: Int64?
    public var status: String
    public var statusMessage: String?
    public var result: JSONValue?
    public var error: JSONValue?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var ttlMs: Int64?
    public var cancelledAt: Int64?
}
