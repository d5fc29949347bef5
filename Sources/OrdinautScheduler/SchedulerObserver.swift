/// Told what the scheduler refused, for metrics.
public protocol SchedulerObserver: Sendable {
    /// An event did not start a run of an event or condition task; `reason` is `depth` (the
    /// causation chain is too deep), `rate` (the task's rate of event runs) or `condition` (its
    /// condition could not be evaluated within the limits).
    func triggerRefused(reason: String)
}
