/// Told what the scheduler did and refused, for metrics. Labels stay few: triggers, outcomes, tool
/// names and this node's id, never a task or run id.
public protocol SchedulerObserver: AnyObject, Sendable {
    /// A worker of this process started a run: `trigger` is `schedule`, `manual`, `event` or
    /// `retry`; `waited` is the time from when its item became due to the start; `takeover` says
    /// the run was taken over from a holder whose lease expired.
    func runStarted(trigger: String, waited: Duration, takeover: Bool)
    /// A run this process executed ended: `outcome` is `succeeded`, `retrying` (failed, retried
    /// later), `dead` (failed for good) or `waiting` (parked at an approval).
    func runFinished(outcome: String, duration: Duration)
    /// A step ended: `outcome` is `succeeded`, `failed` or `skipped`; `tool` is the step's `uses`.
    func stepFinished(tool: String, outcome: String, duration: Duration)
    /// A lease renewal was tried: `held` is `false` when the lease had been lost to another worker.
    func leaseRenewed(held: Bool)
    /// The runs this process executes right now, of `capacity` workers.
    func workersBusy(_ busy: Int, capacity: Int)
    /// A run this process executed ended dead and paused its task: its runs reached the task's
    /// `max_consecutive_failures` (each also publishes `ordinaut.task.stopped`).
    func taskStopped()
    /// Whether node `node` (this process) produces scheduled work, each time the scheduler checks.
    func leadership(node: String, leading: Bool)

    /// An event did not start a run of an event or condition task; `reason` is `depth` (the
    /// causation chain is too deep), `rate` (the task's rate of event runs) or `condition` (its
    /// condition could not be evaluated within the limits).
    func triggerRefused(reason: String)
}
