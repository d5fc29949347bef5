/// How a task's schedule is written (`schedule_kind`).
public enum ScheduleKind: String, Sendable, CaseIterable, Codable {
    /// Standard five-field cron in the task's time zone.
    case cron
    /// An RFC 5545 recurrence (`FREQ=…`, optionally with `DTSTART`), anchored to the task's `dtstart`.
    case rrule
    /// One ISO-8601 instant.
    case once
    /// A topic pattern; every matching event starts a run with the event as `${event}`.
    case event
    /// `<topic pattern> when <JMESPath>`: a matching event starts a run when the expression holds.
    case condition
}
