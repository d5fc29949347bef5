import OrdinautCore

/// Work a worker holds: the due item, its task and its run (created or taken over at claim time).
public struct ClaimedWork: Sendable {
    public let dueId: Int64
    public let task: TaskRecord
    public var run: RunRecord
    /// The lease token: this claim's own, so a worker that lost its lease cannot write over the next holder.
    public let lease: String
    public let leaseExpiresAt: Int64
    public let dueContext: JSONValue
    /// When the item became due (milliseconds since 1970): its scheduled or retry time, or when it was queued.
    public var dueAt: Int64 = 0
    /// The claim took the run over from a holder whose lease expired.
    public var takenOver = false
}

extension ClaimedWork {
    /// What the due item carried besides the run: `{"resume": {...}}` when an approval was answered.
    public var resume: JSONValue? { dueContext["resume"] }
}
