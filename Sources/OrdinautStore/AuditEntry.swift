import OrdinautCore

/// One line of the audit log, written in the same transaction as the change it records.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Int64
    public var actor: String
    public var action: String
    public var taskId: String?
    public var runId: String?
    public var details: JSONValue
}
