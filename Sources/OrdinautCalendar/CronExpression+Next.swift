extension CronExpression {
    /// How many steps the search may take before it gives up (a rule like "Feb 29 on a Monday" needs
    /// a few thousand; an impossible one must not spin).
    static let searchLimit = 500_000

    /// The first firing strictly after `instant` (UTC seconds), in `zone`'s wall-clock time.
    public func next(after instant: Int, in zone: ZoneRules) throws(ScheduleError) -> Int {
        var local = zone.local(ofInstant: instant) + 1
        for _ in 0..<Self.searchLimit {
            let days = CivilTime.floorDiv(local, 86_400)
            let (year, month, day) = CivilTime.date(days: days)
            if months & (1 << UInt16(month)) == 0 {
                // Jump to the first day of the next selected month.
                var y = year, m = month
                repeat {
                    m += 1
                    if m > 12 { m = 1; y += 1 }
                } while months & (1 << UInt16(m)) == 0
                local = CivilTime.days(year: y, month: m, day: 1) * 86_400
                continue
            }
            if !matchesDay(year: year, month: month, day: day, weekday: CivilTime.weekday(days: days)) {
                local = (days + 1) * 86_400
                continue
            }
            let dayStart = days * 86_400
            let secondOfDay = local - dayStart
            let hour = secondOfDay / 3600, minute = secondOfDay % 3600 / 60, second = secondOfDay % 60
            guard let h = Self.nextBit(UInt64(hours), from: hour) else {
                local = dayStart + 86_400
                continue
            }
            if h != hour {
                local = dayStart + h * 3600
                continue
            }
            guard let m = Self.nextBit(minutes, from: minute) else {
                local = dayStart + (hour + 1) * 3600
                continue
            }
            if m != minute {
                local = dayStart + hour * 3600 + m * 60
                continue
            }
            guard let s = Self.nextBit(seconds, from: second) else {
                local = dayStart + hour * 3600 + (minute + 1) * 60
                continue
            }
            let candidate = dayStart + hour * 3600 + minute * 60 + s
            let utc = zone.instant(ofLocal: candidate)
            if utc > instant { return utc }
            // The second instance of a repeated hour, or a gap time already passed: keep looking.
            local = candidate + 1
        }
        throw ScheduleError("cron expression \"\(source)\" has no occurrence within the search limit")
    }

    /// The next `count` firings after `instant`.
    public func next(_ count: Int, after instant: Int, in zone: ZoneRules) throws(ScheduleError) -> [Int] {
        var results: [Int] = []
        var cursor = instant
        for _ in 0..<max(0, count) {
            cursor = try next(after: cursor, in: zone)
            results.append(cursor)
        }
        return results
    }

    /// Firings in `[start, end)`, at most `limit`.
    public func occurrences(from start: Int, to end: Int, in zone: ZoneRules, limit: Int = 10_000) throws(ScheduleError) -> [Int] {
        var results: [Int] = []
        var cursor = start - 1
        while results.count < limit {
            cursor = try next(after: cursor, in: zone)
            if cursor >= end { break }
            results.append(cursor)
        }
        return results
    }

    @inline(__always) static func nextBit(_ bits: UInt64, from index: Int) -> Int? {
        guard index < 64 else { return nil }
        let shifted = bits >> UInt64(index)
        return shifted == 0 ? nil : index + shifted.trailingZeroBitCount
    }

    func matchesDay(year: Int, month: Int, day: Int, weekday: Int) -> Bool {
        let length = CivilTime.daysInMonth(year: year, month: month)
        var dom = daysOfMonth & (1 << UInt32(day)) != 0
        if !dom && lastDayOfMonth { dom = day == length }
        if !dom && lastWeekdayOfMonth { dom = day == Self.lastWeekday(year: year, month: month, length: length) }
        if !dom && !nearestWeekdays.isEmpty {
            dom = nearestWeekdays.contains { Self.nearestWeekday(to: $0, year: year, month: month, length: length) == day }
        }
        var dow = daysOfWeek & (1 << UInt8(weekday)) != 0
        if !dow && !lastWeekdays.isEmpty { dow = day + 7 > length && lastWeekdays.contains(weekday) }
        if !dow && !nthWeekdays.isEmpty { dow = nthWeekdays.contains { $0.weekday == weekday && (day - 1) / 7 + 1 == $0.n } }
        if domRestricted && dowRestricted { return dom || dow }
        return dom && dow
    }

    static func lastWeekday(year: Int, month: Int, length: Int) -> Int {
        switch CivilTime.weekday(days: CivilTime.days(year: year, month: month, day: length)) {
        case 6: return length - 1
        case 0: return length - 2
        default: return length
        }
    }

    /// Quartz's `nW`: the weekday nearest day n, never leaving the month; no match when the month is shorter.
    static func nearestWeekday(to target: Int, year: Int, month: Int, length: Int) -> Int? {
        guard target <= length else { return nil }
        switch CivilTime.weekday(days: CivilTime.days(year: year, month: month, day: target)) {
        case 6: return target == 1 ? 3 : target - 1
        case 0: return target == length ? target - 2 : target + 1
        default: return target
        }
    }
}
