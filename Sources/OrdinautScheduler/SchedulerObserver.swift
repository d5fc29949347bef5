/// Told what the scheduler did and refused, for metrics.
public protocol SchedulerObserver: Sendable {
    /// A run this process executed ended: `outcome` is `succeeded`, `retrying` (failed, retried
    /// later), `dead` (failed for good) or `waiting` (parked at an approval).
    func runFinished(outcome: String, duration: Duration)
    /// A step ended: `outcome` is `succeeded`, `failed` or `skipped`; `tool` is the step's `uses`.
    func stepFinished(tool: String, outcome: String, duration: Duration)

    /// An event did not start a run of an event or condition task; `reason` is `depth` (the
    /// causation chain is too deep), `rate` (the task's rate of event runs) or `condition` (its
    /// condition could not be evaluated within the limits).
    func triggerRefused(reason: String)
}
