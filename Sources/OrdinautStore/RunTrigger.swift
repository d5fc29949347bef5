/// Where a run came from.
public enum RunTrigger: String, Sendable, CaseIterable {
    case schedule, manual, event, retry
}
