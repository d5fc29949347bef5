/// An RFC 5545 recurrence rule (`FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9`), validated on parse.
///
/// Occurrences are generated in wall-clock time from DTSTART (which anchors the INTERVAL phase and
/// supplies the defaults RFC 5545 prescribes) and then placed in the zone: a time in a
/// spring-forward gap moves forward by the gap, an ambiguous one takes its first instance.
public struct RecurrenceRule: Sendable, Equatable {
    public enum Frequency: Int, Sendable, Comparable, CaseIterable {
        case secondly, minutely, hourly, daily, weekly, monthly, yearly

        public static func < (lhs: Frequency, rhs: Frequency) -> Bool { lhs.rawValue < rhs.rawValue }

        static let names: [String: Frequency] = [
            "SECONDLY": .secondly, "MINUTELY": .minutely, "HOURLY": .hourly, "DAILY": .daily,
            "WEEKLY": .weekly, "MONTHLY": .monthly, "YEARLY": .yearly,
        ]
    }

    /// A weekday with an optional ordinal (`MO`, `-1FR`, `+2TU`).
    public struct WeekdayNumber: Sendable, Equatable {
        /// 0 = Sunday … 6 = Saturday.
        public let weekday: Int
        public let ordinal: Int?
    }

    /// The end of a rule.
    public enum Until: Sendable, Equatable {
        /// A UTC instant (`UNTIL=…Z`).
        case instant(Int)
        /// A wall-clock time in the rule's zone (`UNTIL=20250101T000000` or a date).
        case local(Int)
    }

    public let source: String
    public let frequency: Frequency
    public let interval: Int
    public let count: Int?
    public let until: Until?
    public let bySecond: [Int]
    public let byMinute: [Int]
    public let byHour: [Int]
    public let byDay: [WeekdayNumber]
    public let byMonthDay: [Int]
    public let byYearDay: [Int]
    public let byWeekNo: [Int]
    public let byMonth: [Int]
    public let bySetPos: [Int]
    /// 0 = Sunday … 6 = Saturday; Monday unless `WKST` says otherwise.
    public let weekStart: Int

    static let dayCodes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
    /// The most COUNT a rule may have.
    public static let maximumCount = 1_000_000

    /// Parses a rule, with or without the `RRULE:` prefix.
    public init(_ text: String) throws(ScheduleError) {
        var body = text.trimmingSpaces()
        if body.uppercased().hasPrefix("RRULE:") { body = String(body.dropFirst(6)) }
        source = body
        guard !body.isEmpty else { throw ScheduleError("an RRULE needs at least FREQ") }
        guard body.utf8.count <= 2048 else { throw ScheduleError("RRULE is longer than 2048 characters") }
        var parts: [String: String] = [:]
        for item in body.split(separator: ";", omittingEmptySubsequences: true) {
            guard let equals = item.firstIndex(of: "=") else { throw ScheduleError("RRULE part \"\(item)\" is not NAME=VALUE") }
            let name = item[..<equals].uppercased()
            let value = String(item[item.index(after: equals)...])
            guard parts[name] == nil else { throw ScheduleError("RRULE part \(name) appears twice") }
            parts[name] = value
        }
        let known: Set<String> = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
                                  "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"]
        if let unknown = parts.keys.sorted().first(where: { !known.contains($0) }) {
            throw ScheduleError("unknown RRULE part \(unknown)")
        }
        guard let freqText = parts["FREQ"] else { throw ScheduleError("RRULE needs FREQ (SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)") }
        guard let frequency = Frequency.names[freqText.uppercased()] else {
            throw ScheduleError("unknown FREQ \"\(freqText)\"; use SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY")
        }
        self.frequency = frequency
        if let value = parts["INTERVAL"] {
            guard let interval = Int(value), interval > 0 else { throw ScheduleError("INTERVAL must be a positive integer, not \"\(value)\"") }
            guard interval <= 100_000 else { throw ScheduleError("INTERVAL \(interval) is too large") }
            self.interval = interval
        } else {
            interval = 1
        }
        if parts["COUNT"] != nil && parts["UNTIL"] != nil { throw ScheduleError("an RRULE may have COUNT or UNTIL, not both") }
        if let value = parts["COUNT"] {
            guard let count = Int(value), count > 0, count <= Self.maximumCount else {
                throw ScheduleError("COUNT must be an integer from 1 to \(Self.maximumCount), not \"\(value)\"")
            }
            self.count = count
        } else {
            count = nil
        }
        if let value = parts["UNTIL"] {
            guard let parsed = ICalendarTime.parse(value) else { throw ScheduleError("UNTIL \"\(value)\" is not a DATE or DATE-TIME (such as 20251231T235959Z)") }
            until = parsed.isUTC ? .instant(parsed.seconds) : .local(parsed.isDate ? parsed.seconds + 86_399 : parsed.seconds)
        } else {
            until = nil
        }
        func numbers(_ name: String, _ range: ClosedRange<Int>, allowNegative: Bool = false) throws(ScheduleError) -> [Int] {
            guard let value = parts[name] else { return [] }
            var result: [Int] = []
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = Int(item.hasPrefix("+") ? item.dropFirst() : item) else {
                    throw ScheduleError("\(name) value \"\(item)\" is not an integer")
                }
                let magnitude = allowNegative ? abs(number) : number
                guard range.contains(magnitude), !(allowNegative && number == 0) else {
                    throw ScheduleError("\(name)=\(number) is out of range (\(allowNegative ? "±" : "")\(range.lowerBound)...\(range.upperBound))")
                }
                result.append(number)
            }
            return Array(Set(result)).sorted()
        }
        bySecond = try numbers("BYSECOND", 0...60).filter { $0 < 60 }
        byMinute = try numbers("BYMINUTE", 0...59)
        byHour = try numbers("BYHOUR", 0...23)
        byMonthDay = try numbers("BYMONTHDAY", 1...31, allowNegative: true)
        byYearDay = try numbers("BYYEARDAY", 1...366, allowNegative: true)
        byWeekNo = try numbers("BYWEEKNO", 1...53, allowNegative: true)
        byMonth = try numbers("BYMONTH", 1...12)
        bySetPos = try numbers("BYSETPOS", 1...366, allowNegative: true)
        if let value = parts["WKST"] {
            guard let day = Self.dayCodes.firstIndex(of: value.uppercased()) else { throw ScheduleError("WKST \"\(value)\" is not a weekday (MO…SU)") }
            weekStart = day
        } else {
            weekStart = 1
        }
        var days: [WeekdayNumber] = []
        if let value = parts["BYDAY"] {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let upper = item.uppercased()
                guard upper.count >= 2, let day = Self.dayCodes.firstIndex(of: String(upper.suffix(2))) else {
                    throw ScheduleError("BYDAY value \"\(item)\" is not a weekday such as MO, -1FR or 2TU")
                }
                let prefix = upper.dropLast(2)
                var ordinal: Int? = nil
                if !prefix.isEmpty {
                    guard let number = Int(prefix.hasPrefix("+") ? prefix.dropFirst() : prefix), number != 0 else {
                        throw ScheduleError("BYDAY value \"\(item)\" has an invalid ordinal")
                    }
                    guard frequency == .monthly || frequency == .yearly else {
                        throw ScheduleError("BYDAY ordinals such as \"\(item)\" are only allowed with FREQ=MONTHLY or YEARLY")
                    }
                    let limit = frequency == .monthly || !byMonth.isEmpty ? 5 : 53
                    guard abs(number) <= limit else { throw ScheduleError("BYDAY value \"\(item)\": the ordinal must be within ±\(limit)") }
                    ordinal = number
                }
                days.append(WeekdayNumber(weekday: day, ordinal: ordinal))
            }
        }
        byDay = days
        if !byWeekNo.isEmpty && frequency != .yearly { throw ScheduleError("BYWEEKNO is only allowed with FREQ=YEARLY") }
        if !byYearDay.isEmpty && [.daily, .weekly, .monthly].contains(frequency) {
            throw ScheduleError("BYYEARDAY is not allowed with FREQ=\(freqText.uppercased())")
        }
        if !byMonthDay.isEmpty && frequency == .weekly { throw ScheduleError("BYMONTHDAY is not allowed with FREQ=WEEKLY") }
        if !bySetPos.isEmpty && byDay.isEmpty && byMonthDay.isEmpty && byYearDay.isEmpty && byWeekNo.isEmpty && byMonth.isEmpty
            && byHour.isEmpty && byMinute.isEmpty && bySecond.isEmpty {
            throw ScheduleError("BYSETPOS needs another BYxxx part to select from")
        }
    }

    public static func == (lhs: RecurrenceRule, rhs: RecurrenceRule) -> Bool { lhs.source == rhs.source }
}

/// iCalendar DATE and DATE-TIME values (`20250101`, `20250101T090000`, `20250101T090000Z`).
public enum ICalendarTime {
    public static func parse(_ text: String) -> (seconds: Int, isUTC: Bool, isDate: Bool)? {
        let bytes = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), let month = digits(4, 2), let day = digits(6, 2),
              (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else { return nil }
        let date = CivilTime.days(year: year, month: month, day: day) * 86_400
        if bytes.count == 8 { return (date, false, true) }
        guard bytes.count == 15 || (bytes.count == 16 && bytes[15] == UInt8(ascii: "Z")), bytes[8] == UInt8(ascii: "T"),
              let hour = digits(9, 2), let minute = digits(11, 2), let second = digits(13, 2),
              hour < 24, minute < 60, second < 61 else { return nil }
        return (date + hour * 3600 + minute * 60 + min(second, 59), bytes.count == 16, false)
    }
}
