/// What `ordinaut schedule next` computes: the next occurrences of a cron expression or recurrence
/// in a zone, as wall-clock times with their UTC offsets.
public struct SchedulePreview: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case cron, rrule
    }

    public struct Occurrence: Sendable, Equatable {
        /// UTC seconds.
        public let instant: Int
        /// Offset from UTC, in seconds.
        public let offset: Int

        public init(instant: Int, offset: Int) {
            self.instant = instant
            self.offset = offset
        }

        /// `2025-03-30T09:00:00+03:00`.
        public var wallClock: String {
            LocalDateTime(localSeconds: instant + offset).description + Self.format(offset: offset)
        }

        /// `2025-03-30T06:00:00Z`.
        public var utc: String { LocalDateTime(localSeconds: instant).description + "Z" }

        static func format(offset: Int) -> String {
            let magnitude = abs(offset)
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            return (offset < 0 ? "-" : "+") + two(magnitude / 3600) + ":" + two(magnitude % 3600 / 60)
        }
    }

    /// Guesses the kind: iCalendar text (`FREQ=`, `RRULE:`, `DTSTART`) is a recurrence; anything else cron.
    public static func kind(of expression: String) -> Kind {
        let upper = expression.uppercased()
        return upper.contains("FREQ=") || upper.contains("RRULE") || upper.contains("DTSTART") ? .rrule : .cron
    }

    /// The next `count` occurrences after `after` (UTC seconds). A recurrence without DTSTART starts at
    /// `dtstart`, or at `after` truncated to the minute; one whose DTSTART names a TZID is shown in that zone.
    public static func next(_ expression: String, kind: Kind, zone: ZoneRules, after: Int, dtstart: Int?, count: Int) throws(ScheduleError) -> [Occurrence] {
        guard (1...10_000).contains(count) else { throw ScheduleError("--count must be between 1 and 10000") }
        let instants: [Int]
        var displayZone = zone
        switch kind {
        case .cron:
            instants = try CronExpression(expression).next(count, after: after, in: zone)
        case .rrule:
            let startInstant = dtstart ?? (CivilTime.floorDiv(after, 60) * 60)
            let recurrence = try Recurrence(parsing: expression, defaultStart: LocalDateTime(localSeconds: zone.local(ofInstant: startInstant)), zone: zone)
            instants = try recurrence.next(count, after: after)
            displayZone = recurrence.zone
            if instants.isEmpty, try recurrence.next(after: recurrence.zone.instant(ofLocal: recurrence.start) - 1) == nil {
                throw ScheduleError("the recurrence has no occurrence at all")
            }
        }
        return instants.map { Occurrence(instant: $0, offset: displayZone.offset(atUTC: $0)) }
    }

    /// Parses an ISO-8601 time: `2025-03-29`, `2025-03-29T12:00[:00[.fff]]`, with `Z` or `±hh:mm` or none
    /// (then it is wall-clock time in `zone`). Returns UTC seconds.
    public static func parseTime(_ text: String, zone: ZoneRules) throws(ScheduleError) -> Int {
        var body = Substring(text)
        var offset: Int? = nil
        if body.hasSuffix("Z") || body.hasSuffix("z") {
            offset = 0
            body = body.dropLast()
        } else if body.contains("T"), body.count > 6, let sign = body.dropFirst(body.count - 6).first, sign == "+" || sign == "-" {
            let tail = body.suffix(5)
            let pieces = tail.split(separator: ":")
            guard pieces.count == 2, let hours = Int(pieces[0]), let minutes = Int(pieces[1]), hours < 24, minutes < 60 else {
                throw ScheduleError("\"\(text)\" has an invalid UTC offset")
            }
            offset = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
            body = body.dropLast(6)
        }
        let halves = body.split(separator: "T", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { throw ScheduleError("\"\(text)\" is not an ISO-8601 time such as 2025-03-29T12:00") }
        let date = halves[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard date.count == 3, let year = date[0], let month = date[1], let day = date[2], (1...12).contains(month),
              day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else {
            throw ScheduleError("\"\(text)\" is not an ISO-8601 date such as 2025-03-29")
        }
        var time = [0, 0, 0]
        if halves.count == 2 {
            // Fractions of a second (`12:00:00.250`) are accepted and dropped: schedules are in whole seconds.
            var clock = halves[1]
            if let dot = clock.firstIndex(of: "."), clock[clock.index(after: dot)...].allSatisfy(\.isNumber), clock.index(after: dot) < clock.endIndex {
                clock = clock[..<dot]
            }
            let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }), parts[0]! < 24, parts[1]! < 60, (parts.count == 2 || parts[2]! < 60) else {
                throw ScheduleError("\"\(text)\" has an invalid time of day")
            }
            time = parts.map { $0! } + (parts.count == 2 ? [0] : [])
        }
        let local = LocalDateTime(year: year, month: month, day: day, hour: time[0], minute: time[1], second: time[2]).localSeconds
        if let offset { return local - offset }
        return zone.instant(ofLocal: local)
    }
}
