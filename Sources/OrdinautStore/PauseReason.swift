/// Why the scheduler paused a task on its own.
public enum PauseReason: String, Sendable, CaseIterable {
    /// Its runs ended dead `max_consecutive_failures` times in a row.
    case failures
}
