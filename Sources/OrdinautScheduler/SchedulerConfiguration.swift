import OrdinautCore
import OrdinautStore

/// How this process schedules and runs work (`ORDINAUT_*` variables, listed in the README).
public struct SchedulerConfiguration: Sendable {
    /// Runs this process executes at once (`ORDINAUT_WORKERS`); 0 runs none (an API-only node).
    public var workers = 4
    /// Whether this process takes part in electing the scheduler that produces due work (`ORDINAUT_SCHEDULER`).
    public var schedules = true
    /// A claimed run's lease (`ORDINAUT_LEASE_SECONDS`); renewed every third of it while the run lasts.
    public var leaseSeconds = 30
    /// Longest idle wait before looking for work again when nobody rang (`ORDINAUT_POLL_MILLISECONDS`).
    public var pollMilliseconds = 1000
    /// What happens to fire times missed while no scheduler ran (`ORDINAUT_MISFIRE_POLICY`).
    public var misfirePolicy = MisfirePolicy.runOnce
    /// A fire time later than this is a misfire (`ORDINAUT_MISFIRE_GRACE_SECONDS`).
    public var misfireGraceSeconds = 60
    /// Retry waits: attempt n waits about base · 2ⁿ⁻¹ up to the cap (`ORDINAUT_RETRY_BASE_SECONDS`, `ORDINAUT_RETRY_CAP_SECONDS`).
    public var retryBaseSeconds = 1.0
    public var retryCapSeconds = 60.0
    /// Due items claimed per transaction at most (`ORDINAUT_CLAIM_BATCH`).
    public var claimBatch = 16
    /// How long running work may go on after shutdown begins before it is handed back (released,
    /// to be run again by another worker or at the next start). `ordinaut stdio` hands back at once.
    public var shutdownGrace: Duration = .seconds(10)
    /// This process's name in leases and the audit log.
    public var nodeID: String
    /// Dead runs in a row after which a task that sets no `max_consecutive_failures` is paused
    /// (`ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES`); 0, the default, never pauses one.
    public var taskFailureLimit = 0
    /// The limits a task (or the server's default, which may also be 0) may set.
    public static let taskFailureLimits = 1...10_000
    /// Evaluation budgets, output caps and event-chain bounds.
    public var limits = RunLimits()

    public init(nodeID: String) {
        self.nodeID = nodeID
    }

    /// When attempt `attempt` (1-based) of a task that failed should be retried, in milliseconds from now.
    public func retryDelay(attempt: Int, strategy: BackoffStrategy) -> Int64 {
        let backoff = Backoff(base: .milliseconds(Int64(retryBaseSeconds * 1000)), cap: .milliseconds(Int64(retryCapSeconds * 1000)))
        let delay: Duration
        switch strategy {
        case .exponentialJitter: delay = backoff.delay(attempt: attempt)
        case .exponential: delay = backoff.ceiling(attempt: attempt)
        case .linear: delay = min(backoff.base * attempt, backoff.cap)
        case .fixed: delay = backoff.base
        }
        let (seconds, attoseconds) = delay.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
