import Foundation
import OrdinautCalendar
import OrdinautCore
import OrdinautEvents
import OrdinautJMESPath
import OrdinautPipeline
import OrdinautStore

/// A task's schedule, parsed and checked: what produces its work.
public enum Schedule: Sendable {
    case cron(CronExpression, ZoneRules)
    case rrule(Recurrence)
    /// Milliseconds since 1970.
    case once(Int64)
    case event(TopicPattern)
    /// Fires for a matching event when the condition holds over `{"event": …}`.
    case condition(TopicPattern, StepCondition)

    /// Parses `expression` as `kind` in `timezone`; recurrences without DTSTART are anchored to
    /// `dtstart` (milliseconds). Errors name the field to fix.
    public init(kind: ScheduleKind, expression: String?, timezone: String, dtstart: Int64) throws(InputError) {
        let zone: ZoneRules
        do throws(TimeZoneError) {
            zone = try TimeZoneDatabase.zone(timezone)
        } catch {
            throw InputError("timezone: \(error.description)", field: "timezone")
        }
        guard let expression, !expression.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw InputError("schedule_expr is required for a \(kind.rawValue) task", field: "schedule_expr")
        }
        guard expression.utf8.count <= 4096 else { throw InputError("schedule_expr is longer than 4096 bytes", field: "schedule_expr") }
        do throws(ScheduleError) {
            switch kind {
            case .cron:
                self = .cron(try CronExpression(expression), zone)
            case .rrule:
                let start = LocalDateTime(localSeconds: zone.local(ofInstant: Int(dtstart / 1000)))
                let recurrence = try Recurrence(parsing: expression, defaultStart: start, zone: zone)
                try recurrence.validate()
                self = .rrule(recurrence)
            case .once:
                self = .once(Int64(try SchedulePreview.parseTime(expression, zone: zone)) * 1000)
            case .event:
                self = .event(try Self.pattern(expression))
            case .condition:
                guard let range = expression.range(of: " when ") else {
                    throw ScheduleError("a condition is written \"<event pattern> when <JMESPath expression>\", e.g. \"sensor.* when payload.temp > `30`\"")
                }
                let pattern = try Self.pattern(expression[..<range.lowerBound].trimmingCharacters(in: .whitespaces))
                let condition: StepCondition
                do throws(TemplateError) {
                    condition = try StepCondition(String(expression[range.upperBound...]))
                } catch {
                    throw ScheduleError("the condition: \(error)")
                }
                self = .condition(pattern, condition)
            }
        } catch {
            throw InputError("schedule_expr: \(error.description)", field: "schedule_expr")
        }
    }

    private static func pattern(_ text: String) throws(ScheduleError) -> TopicPattern {
        do throws(EventBusError) {
            return try TopicPattern(text)
        } catch {
            throw ScheduleError(error.description)
        }
    }

    /// The first fire time strictly after `after` (milliseconds), or `nil` when there is none
    /// (an exhausted recurrence, a past one-off, an event-driven task).
    public func next(after: Int64) -> Int64? {
        let seconds = Int(after.floorDivided(by: 1000))
        switch self {
        case .cron(let cron, let zone):
            return (try? cron.next(after: seconds, in: zone)).map { Int64($0) * 1000 }
        case .rrule(let recurrence):
            return (try? recurrence.next(after: seconds)).flatMap { $0 }.map { Int64($0) * 1000 }
        case .once(let at):
            return at > after ? at : nil
        case .event, .condition:
            return nil
        }
    }

    /// The fire times in (`after`, `through`], at most `limit`.
    public func occurrences(after: Int64, through: Int64, limit: Int) -> [Int64] {
        var times: [Int64] = []
        var cursor = after
        while times.count < limit, let next = next(after: cursor), next <= through {
            times.append(next)
            cursor = next
        }
        return times
    }

    /// The event pattern of an event-driven schedule.
    public var pattern: TopicPattern? {
        switch self {
        case .event(let pattern), .condition(let pattern, _): return pattern
        default: return nil
        }
    }

    /// Whether `event` starts a run of a task with this schedule; a condition is evaluated under
    /// `limits`, and one that cannot be evaluated is an error (the event starts nothing).
    public func fires(for event: Event, limits: EvaluationLimits = .standard) throws(TemplateError) -> Bool {
        switch self {
        case .event(let pattern): return pattern.matches(event)
        case .condition(let pattern, let condition):
            guard pattern.matches(event) else { return false }
            return try condition.holds(in: Self.conditionContext(event.json), budget: EvaluationBudget(limits))
        default: return false
        }
    }

    /// Refuses a condition that passes `limits` even on an event with no payload (it can only grow).
    func checkEvaluation(_ limits: EvaluationLimits) throws(InputError) {
        guard case .condition(_, let condition) = self else { return }
        let empty: JSONValue = ["id": "", "stream": "", "source": "", "namespace": "", "name": "", "payload": nil, "timestamp": 0]
        do throws(TemplateError) {
            _ = try condition.holds(in: Self.conditionContext(empty), budget: EvaluationBudget(limits))
        } catch where error.limitExceeded {
            throw InputError("schedule_expr: \(error.message)", field: "schedule_expr")
        } catch {}
    }

    /// A condition sees the event's fields at the top level and as `event`.
    private static func conditionContext(_ event: JSONValue) -> JSONValue {
        var context = event.objectValue ?? [:]
        context["event"] = event
        return .object(context)
    }
}

/// What happens to fire times missed while no scheduler ran (`ORDINAUT_MISFIRE_POLICY`).
public enum MisfirePolicy: String, Sendable, CaseIterable {
    /// One run for everything missed, then the schedule continues from now (the default).
    case runOnce = "run_once"
    /// Missed fire times are dropped; the schedule continues from now.
    case skip
    /// One run per missed fire time, up to 100.
    case runAll = "run_all"
}

extension Schedule {
    /// The scheduler's decision for a task whose `next_run_at` came: which fire times produce work,
    /// and the next one. A fire time later than `grace` milliseconds is a misfire, handled per `policy`.
    /// A `once` task always runs, however late.
    public func firing(task: TaskRecord, now: Int64, policy: MisfirePolicy, grace: Int64) -> WorkQueue.Firing {
        guard let due = task.nextRunAt else { return WorkQueue.Firing(fires: [], next: nil) }
        if case .once = self { return WorkQueue.Firing(fires: [due], next: nil) }
        let next = self.next(after: now)
        guard now - due > grace else {
            return WorkQueue.Firing(fires: [due], next: self.next(after: max(due, now)))
        }
        switch policy {
        case .runOnce: return WorkQueue.Firing(fires: [now], next: next)
        case .skip: return WorkQueue.Firing(fires: [], next: next)
        case .runAll: return WorkQueue.Firing(fires: [due] + occurrences(after: due, through: now, limit: 99), next: next)
        }
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

extension TaskRecord {
    /// The task's schedule, parsed and checked.
    public func schedule() throws(InputError) -> Schedule {
        try Schedule(kind: scheduleKind, expression: scheduleExpr, timezone: timezone, dtstart: dtstart)
    }
}
