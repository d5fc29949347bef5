/// Why a cron expression or recurrence rule is not acceptable, or has no occurrence to give.
public struct ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
