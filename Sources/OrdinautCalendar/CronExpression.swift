/// A cron expression with Vixie cron semantics: five fields (minute hour day-of-month month
/// day-of-week) or six with leading seconds; lists, ranges, steps, month and weekday names, `7` for
/// Sunday, the `@yearly`…`@hourly` macros, and `L`, `W`, `#`. When both day fields are restricted a
/// day matches if either does (Vixie's OR rule); a field counts as unrestricted when it starts with `*`.
///
/// Times are wall-clock times in the given zone: a time in a spring-forward gap fires at the
/// moment it is moved forward to, and a time that occurs twice fires once, at its first instance.
public struct CronExpression: Sendable, Equatable {
    /// The expression as written.
    public let source: String
    let seconds: UInt64
    let minutes: UInt64
    let hours: UInt32
    let daysOfMonth: UInt32          // bits 1...31
    let months: UInt16               // bits 1...12
    let daysOfWeek: UInt8            // bits 0...6
    let lastDayOfMonth: Bool         // L
    let lastWeekdayOfMonth: Bool     // LW
    let nearestWeekdays: [Int]       // nW
    let lastWeekdays: [Int]          // dL: the last such weekday of the month
    let nthWeekdays: [(weekday: Int, n: Int)]   // d#n
    let domRestricted: Bool
    let dowRestricted: Bool

    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool { lhs.source == rhs.source }

    private static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses `source`; errors name the field and the value.
    public init(_ source: String) throws(ScheduleError) {
        self.source = source
        let trimmed = source.trimmingSpaces()
        guard trimmed.utf8.count <= 1024 else { throw ScheduleError("cron expression is longer than 1024 characters") }
        var text = trimmed
        if trimmed.hasPrefix("@") {
            guard let expansion = Self.macros[trimmed.lowercased()] else {
                throw ScheduleError("unknown cron macro \"\(trimmed)\"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")
            }
            text = expansion
        }
        var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 || fields.count == 6 else {
            throw ScheduleError("a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds; \"\(trimmed)\" has \(fields.count)")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }
        seconds = try Self.bits(fields[0], name: "second", range: 0...59)
        minutes = try Self.bits(fields[1], name: "minute", range: 0...59)
        hours = UInt32(try Self.bits(fields[2], name: "hour", range: 0...23))
        months = UInt16(try Self.bits(fields[4], name: "month", range: 1...12, names: Self.monthNames))

        // Day of month, with L, LW and nW.
        var domBits: UInt64 = 0
        var last = false, lastWeekday = false
        var nearest: [Int] = []
        for part in fields[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let upper = part.uppercased()
            if upper == "L" { last = true; continue }
            if upper == "LW" { lastWeekday = true; continue }
            if upper.hasSuffix("W") {
                guard let day = Int(upper.dropLast()), (1...31).contains(day) else {
                    throw ScheduleError("day-of-month \"\(part)\": W needs a day 1-31 before it (such as 15W)")
                }
                nearest.append(day)
                continue
            }
            domBits |= try Self.bits(part, name: "day-of-month", range: 1...31)
        }
        daysOfMonth = UInt32(truncatingIfNeeded: domBits)
        lastDayOfMonth = last
        lastWeekdayOfMonth = lastWeekday
        nearestWeekdays = nearest

        // Day of week, with dL and d#n; 7 is Sunday too.
        var dowBits: UInt64 = 0
        var lasts: [Int] = []
        var nths: [(Int, Int)] = []
        for part in fields[5].split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let upper = part.uppercased()
            if let hash = upper.firstIndex(of: "#") {
                guard let day = Self.weekday(String(upper[..<hash])), let n = Int(upper[upper.index(after: hash)...]), (1...5).contains(n) else {
                    throw ScheduleError("day-of-week \"\(part)\": use weekday#n with n 1-5 (such as 5#3 for the third Friday)")
                }
                nths.append((day, n))
                continue
            }
            if upper.count > 1, upper.hasSuffix("L") {
                guard let day = Self.weekday(String(upper.dropLast())) else {
                    throw ScheduleError("day-of-week \"\(part)\": use weekdayL (such as 5L for the last Friday)")
                }
                lasts.append(day)
                continue
            }
            dowBits |= try Self.bits(part, name: "day-of-week", range: 0...7, names: Self.dayNames)
        }
        if dowBits & (1 << 7) != 0 { dowBits = (dowBits | 1) & 0x7F }
        daysOfWeek = UInt8(truncatingIfNeeded: dowBits)
        lastWeekdays = lasts
        nthWeekdays = nths
        domRestricted = !fields[3].hasPrefix("*")
        dowRestricted = !fields[5].hasPrefix("*")

        if domRestricted && !dowRestricted && !last && !lastWeekday && nearest.isEmpty {
            // A day-of-month-only rule must name a day some selected month has.
            let possible = (1...12).contains { month in
                months & (1 << month) != 0 && daysOfMonth & ~(UInt32.max << UInt32(CivilTime.daysInMonth(year: 2000, month: month) + 1)) != 0
            }
            if !possible { throw ScheduleError("cron expression \"\(trimmed)\" never fires: no selected month has the selected days") }
        }
    }

    private static func weekday(_ text: String) -> Int? {
        if let number = Int(text), (0...7).contains(number) { return number % 7 }
        return dayNames.firstIndex(of: text)
    }

    /// The bit set a field selects: `*`, `a`, `a-b`, `*/s`, `a-b/s`, `a/s`, comma-separated.
    private static func bits(_ field: String, name: String, range: ClosedRange<Int>, names: [String] = []) throws(ScheduleError) -> UInt64 {
        func value(_ text: Substring) throws(ScheduleError) -> Int {
            if let number = Int(text) {
                guard range.contains(number) else {
                    throw ScheduleError("\(name) \"\(field)\": \(number) is out of range \(range.lowerBound)-\(range.upperBound)")
                }
                return number
            }
            if let index = names.firstIndex(of: text.uppercased()) { return index + (name == "month" ? 1 : 0) }
            throw ScheduleError("\(name) \"\(field)\": \"\(text)\" is not a number\(names.isEmpty ? "" : " or a name")")
        }
        var result: UInt64 = 0
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw ScheduleError("\(name) \"\(field)\": empty list item") }
            var body = part
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                guard let parsed = Int(part[part.index(after: slash)...]), parsed > 0, parsed <= range.upperBound + 1 else {
                    throw ScheduleError("\(name) \"\(field)\": the step after / must be a number from 1 to \(range.upperBound + 1)")
                }
                step = parsed
                body = part[..<slash]
            }
            var low: Int, high: Int
            if body == "*" {
                low = range.lowerBound
                high = range.upperBound
            } else if let dash = body.firstIndex(of: "-"), dash != body.startIndex {
                low = try value(body[..<dash])
                high = try value(body[body.index(after: dash)...])
                guard low <= high else { throw ScheduleError("\(name) \"\(field)\": the range \(body) runs backwards") }
            } else {
                low = try value(body)
                high = step > 1 || part.contains("/") ? range.upperBound : low
            }
            var v = low
            while v <= high {
                result |= 1 << UInt64(v)
                v += step
            }
        }
        return result
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
