/// A pending approval of a run parked at an approval step.
public struct ApprovalRecord: Sendable, Equatable {
    public var runId: String
    public var taskId: String
    public var stepId: String
    public var prompt: String
    public var createdAt: Int64
    public var answeredAt: Int64?
    public var approved: Bool?
    public var answeredBy: String?
    public var comment: String?
}
