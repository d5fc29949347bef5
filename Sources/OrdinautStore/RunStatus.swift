/// A run's state. `failed` attempts are retried by a later run; `dead` is the dead letter: failed
/// with no retry left, or failed in a way retrying cannot fix.
public enum RunStatus: String, Sendable, CaseIterable {
    case running, succeeded, failed, dead, waiting, canceled

    public var isFinal: Bool { self != .running && self != .waiting }
}
