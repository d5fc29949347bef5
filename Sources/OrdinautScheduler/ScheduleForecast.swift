import OrdinautCalendar
import OrdinautCore
import OrdinautStore

/// A schedule's next occurrences, computed without creating anything: what `POST /schedules/preview`
/// and the `schedule_preview` tool answer. The schedule is parsed exactly as a task's is (same
/// errors, same fields), anchored as a task created now would be, and each occurrence carries its
/// UTC time, its wall-clock time with offset, and whether a DST transition moved it or changed
/// its offset (`DSTShift`).
public enum ScheduleForecast {
    /// The most occurrences one preview lists.
    public static let maxCount = 100
    static let fields: Set<String> = ["schedule_kind", "schedule_expr", "timezone", "count", "after"]

    /// The input schema of the `schedule_preview` tool (the REST body is the same object).
    public static let inputSchema: JSONObject = [
        "schedule_kind": ["type": "string", "enum": ["cron", "rrule", "once"]],
        "schedule_expr": ["type": "string", "minLength": 1, "maxLength": 4096,
                          "description": "As in a task: cron (`0 9 * * 1-5`), RRULE (`FREQ=WEEKLY;BYDAY=MO;BYHOUR=8`), or an ISO-8601 time for once."],
        "timezone": ["type": "string", "description": "IANA time zone (default UTC)."],
        "count": ["type": "integer", "minimum": 1, "maximum": .integer(Int64(maxCount)), "description": "How many occurrences (default 10)."],
        "after": ["type": "string", "description": "List occurrences after this ISO-8601 time (default now)."],
    ]

    /// The preview of `input` at `now` (milliseconds since 1970).
    public static func preview(_ input: JSONObject, now: Int64) throws(InputError) -> JSONValue {
        try TaskInput.checkKeys(input, allowed: fields)
        guard let kindText = input["schedule_kind"]?.stringValue, let kind = ScheduleKind(rawValue: kindText) else {
            throw InputError("schedule_kind is required: cron, rrule or once", field: "schedule_kind")
        }
        guard kind == .cron || kind == .rrule || kind == .once else {
            throw InputError("\(kind.rawValue) schedules fire on events, not at times: there is nothing to preview", field: "schedule_kind")
        }
        guard let expression = input["schedule_expr"]?.stringValue else {
            throw InputError("schedule_expr is required and must be a string", field: "schedule_expr")
        }
        let timezone: String
        switch input["timezone"] {
        case nil, .null?: timezone = "UTC"
        case .string(let text)?: timezone = text
        default: throw InputError("timezone must be a string such as Europe/Chisinau", field: "timezone")
        }
        var count = 10
        if let value = input["count"] {
            guard let number = value.integerValue, (1...Int64(maxCount)).contains(number) else {
                throw InputError("count must be an integer from 1 to \(maxCount)", field: "count")
            }
            count = Int(number)
        }
        let requestedZone = try zone(timezone)
        var start = Int(now.floorDivided(by: 1000))
        // A recurrence without DTSTART starts when its task is created: now, or the time asked for.
        var anchor = now
        if let value = input["after"] {
            guard let text = value.stringValue else { throw InputError("after must be an ISO-8601 time", field: "after") }
            do throws(ScheduleError) {
                start = try SchedulePreview.parseTime(text, zone: requestedZone)
            } catch {
                throw InputError("after: \(error.description)", field: "after")
            }
            anchor = Int64(start - start % 60) * 1000
        }
        let schedule = try Schedule(kind: kind, expression: expression, timezone: timezone, dtstart: anchor)
        var instants: [Int] = []
        var cursor = Int64(start) * 1000
        while instants.count < count, let next = schedule.next(after: cursor) {
            instants.append(Int(next / 1000))
            cursor = next
        }
        let (displayZone, nominal) = nominalTimes(schedule, expression: expression, zone: requestedZone, dtstart: anchor)
        let marks = DSTShift.marks(instants, start: start, zone: displayZone, nominal: nominal)
        let occurrences: [JSONValue] = zip(instants, marks).map { instant, mark in
            let occurrence = SchedulePreview.Occurrence(instant: instant, offset: displayZone.offset(atUTC: instant))
            return ["utc": .string(occurrence.utc), "local": .string(occurrence.wallClock),
                    "offset_seconds": .integer(Int64(occurrence.offset)), "dst_shift": mark.map { .string($0.rawValue) } ?? .null]
        }
        return ["schedule_kind": .string(kind.rawValue), "timezone": .string(displayZone.identifier), "occurrences": .array(occurrences)]
    }

    /// An ISO-8601 time (UTC unless it has an offset) in milliseconds since 1970, for query
    /// parameters such as `GET /runs?since=`.
    public static func instant(_ text: String, field: String) throws(InputError) -> Int64 {
        do throws(ScheduleError) {
            return Int64(try SchedulePreview.parseTime(text, zone: .utc)) * 1000
        } catch {
            throw InputError("\(field): \(error.description)", field: field)
        }
    }

    private static func zone(_ identifier: String) throws(InputError) -> ZoneRules {
        do throws(TimeZoneError) {
            return try TimeZoneDatabase.zone(identifier)
        } catch {
            throw InputError("timezone: \(error.description)", field: "timezone")
        }
    }

    /// The zone occurrences are shown in (a recurrence's DTSTART may name its own), and the
    /// schedule's times as if that zone kept one offset: what tells a moved occurrence from one
    /// that merely has a new offset. A recurrence with its own TZID has none (nil).
    private static func nominalTimes(_ schedule: Schedule, expression: String, zone: ZoneRules, dtstart: Int64)
        -> (ZoneRules, (Int, ZoneRules) -> Int?) {
        switch schedule {
        case .cron(let cron, let zone):
            return (zone, { after, fixed in try? cron.next(after: after, in: fixed) })
        case .rrule(let recurrence):
            let start = LocalDateTime(localSeconds: zone.local(ofInstant: Int(dtstart.floorDivided(by: 1000))))
            return (recurrence.zone, { after, fixed in
                guard let shifted = try? Recurrence(parsing: expression, defaultStart: start, zone: fixed), shifted.zone === fixed else { return nil }
                return (try? shifted.next(after: after)).flatMap { $0 }
            })
        case .once, .event, .condition:
            return (zone, { _, _ in nil })
        }
    }
}
