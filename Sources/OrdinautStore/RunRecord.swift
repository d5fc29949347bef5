import OrdinautCore

/// One attempt at a task.
public struct RunRecord: Sendable, Equatable {
    public var id: String
    public var taskId: String
    public var attempt: Int
    public var trigger: RunTrigger
    public var status: RunStatus
    public var leaseOwner: String?
    public var leaseExpiresAt: Int64?
    public var createdAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    public var error: String?
    /// `{"steps": [...], "result": …}`: every executed step's input, output, duration and error.
    public var output: JSONValue
    /// What started it: the event for event and condition tasks, the approval for resumed runs.
    public var context: JSONValue
    /// How many times another worker took it over after its lease expired.
    public var takeovers: Int
    /// The due item that started this run's retry chain (its own, for a first attempt).
    public var rootDueId: Int64?

    public var success: Bool? {
        switch status {
        case .succeeded: return true
        case .failed, .dead, .canceled: return false
        case .running, .waiting: return nil
        }
    }
}
