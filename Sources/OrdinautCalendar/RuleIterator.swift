/// Generates the wall-clock occurrences of one rule in order, one period (year, month, week, day,
/// hour, minute or second) at a time, starting from any period — so the next occurrence after an
/// instant is found by jumping to its period, not by expanding the series from DTSTART.
struct RuleIterator {
    let rule: RecurrenceRule
    /// DTSTART as local seconds.
    let start: Int
    let startDate: LocalDateTime
    // The BY parts with RFC 5545's defaults from DTSTART filled in.
    let months: [Int]
    let monthDays: [Int]
    let weekdays: [RecurrenceRule.WeekdayNumber]
    let hours: [Int]
    let minutes: [Int]
    let seconds: [Int]

    /// The period being expanded, counted in periods of the rule's frequency from DTSTART's period.
    private(set) var period: Int
    private var pending: [Int] = []
    private var pendingIndex = 0
    /// Work done so far; the iterator gives up past `workLimit`.
    private var work = 0
    static let workLimit = 400_000

    init(rule: RecurrenceRule, start: Int) {
        self.rule = rule
        self.start = start
        let date = LocalDateTime(localSeconds: start)
        startDate = date
        var months = rule.byMonth, monthDays = rule.byMonthDay, weekdays = rule.byDay
        if rule.byWeekNo.isEmpty && rule.byYearDay.isEmpty && rule.byMonthDay.isEmpty && rule.byDay.isEmpty {
            switch rule.frequency {
            case .yearly:
                if months.isEmpty { months = [date.month] }
                monthDays = [date.day]
            case .monthly:
                monthDays = [date.day]
            case .weekly:
                weekdays = [RecurrenceRule.WeekdayNumber(weekday: date.weekday, ordinal: nil)]
            default:
                break
            }
        }
        self.months = months
        self.monthDays = monthDays
        self.weekdays = weekdays
        hours = rule.byHour.isEmpty && rule.frequency > .hourly ? [date.hour] : rule.byHour
        minutes = rule.byMinute.isEmpty && rule.frequency > .minutely ? [date.minute] : rule.byMinute
        seconds = rule.bySecond.isEmpty && rule.frequency > .secondly ? [date.second] : rule.bySecond
        period = 0
    }

    /// Moves to the first period whose occurrences could fall at or after local time `local`.
    mutating func seek(toLocal local: Int) {
        let target = LocalDateTime(localSeconds: max(local, start))
        let raw: Int
        switch rule.frequency {
        case .yearly: raw = target.year - startDate.year
        case .monthly: raw = (target.year - startDate.year) * 12 + target.month - startDate.month
        case .weekly: raw = CivilTime.floorDiv(target.dayNumber - weekStart(of: startDate.dayNumber), 7)
        case .daily: raw = target.dayNumber - startDate.dayNumber
        case .hourly: raw = CivilTime.floorDiv(target.localSeconds, 3600) - CivilTime.floorDiv(start, 3600)
        case .minutely: raw = CivilTime.floorDiv(target.localSeconds, 60) - CivilTime.floorDiv(start, 60)
        case .secondly: raw = target.localSeconds - start
        }
        period = max(0, raw / rule.interval * rule.interval)
        pending = []
        pendingIndex = 0
    }

    private func weekStart(of day: Int) -> Int {
        day - (CivilTime.weekday(days: day) - rule.weekStart + 7) % 7
    }

    /// The next occurrence (local seconds, at or after DTSTART), or `nil` when the search limit is reached.
    mutating func next() -> Int? {
        while true {
            if pendingIndex < pending.count {
                let value = pending[pendingIndex]
                pendingIndex += 1
                if value >= start { return value }
                continue
            }
            guard work < Self.workLimit else { return nil }
            pending = expand(period)
            pendingIndex = 0
            period += rule.interval
        }
    }

    /// The sorted occurrences of one period, BYSETPOS applied.
    private mutating func expand(_ index: Int) -> [Int] {
        var days: [Int] = []
        var times: [Int] = []
        switch rule.frequency {
        case .yearly:
            let year = startDate.year + index
            guard year > -9999 && year < 99999 else { work = Self.workLimit; return [] }
            let first = CivilTime.days(year: year, month: 1, day: 1)
            let length = CivilTime.isLeap(year) ? 366 : 365
            if !months.isEmpty {
                // Only the selected months can match: scan those.
                for month in months {
                    let monthStart = CivilTime.days(year: year, month: month, day: 1)
                    for day in monthStart..<(monthStart + CivilTime.daysInMonth(year: year, month: month)) where matches(day) { days.append(day) }
                }
                work += months.count * 31
            } else {
                for day in first..<(first + length) where matches(day) { days.append(day) }
                work += length
            }
            times = timesOfDay()
        case .monthly:
            let monthIndex = startDate.month - 1 + index
            let year = startDate.year + CivilTime.floorDiv(monthIndex, 12), month = monthIndex - CivilTime.floorDiv(monthIndex, 12) * 12 + 1
            guard year < 99999 else { work = Self.workLimit; return [] }
            let first = CivilTime.days(year: year, month: month, day: 1)
            if !months.isEmpty && !months.contains(month) {
                work += 1
                return []
            }
            for day in first..<(first + CivilTime.daysInMonth(year: year, month: month)) where matches(day) { days.append(day) }
            work += 31
            times = timesOfDay()
        case .weekly:
            let first = weekStart(of: startDate.dayNumber) + index * 7
            for day in first..<(first + 7) where matches(day) { days.append(day) }
            work += 7
            times = timesOfDay()
        case .daily:
            let day = startDate.dayNumber + index
            work += 1
            if matches(day) { days = [day] }
            times = timesOfDay()
        case .hourly, .minutely, .secondly:
            let unit = rule.frequency == .hourly ? 3600 : rule.frequency == .minutely ? 60 : 1
            let moment = CivilTime.floorDiv(start, unit) * unit + index * unit
            let day = CivilTime.floorDiv(moment, 86_400)
            work += 1
            guard matches(day) else {
                // Skip the rest of a day that cannot match, keeping the INTERVAL phase.
                let periodsToNextDay = ((day + 1) * 86_400 - moment + unit - 1) / unit
                period = index + max(0, (periodsToNextDay - 1) / rule.interval * rule.interval)
                return []
            }
            let secondOfDay = moment - day * 86_400
            let hour = secondOfDay / 3600, minute = secondOfDay % 3600 / 60, second = secondOfDay % 60
            if !hours.isEmpty && !hours.contains(hour) { return [] }
            days = [day]
            switch rule.frequency {
            case .hourly:
                for m in (minutes.isEmpty ? [minute] : minutes) {
                    for s in (seconds.isEmpty ? [second] : seconds) { times.append(hour * 3600 + m * 60 + s) }
                }
            case .minutely:
                if !minutes.isEmpty && !minutes.contains(minute) { return [] }
                for s in (seconds.isEmpty ? [second] : seconds) { times.append(hour * 3600 + minute * 60 + s) }
            default:
                if !minutes.isEmpty && !minutes.contains(minute) { return [] }
                if !seconds.isEmpty && !seconds.contains(second) { return [] }
                times = [secondOfDay]
            }
        }
        var occurrences: [Int] = []
        occurrences.reserveCapacity(days.count * times.count)
        for day in days {
            for time in times { occurrences.append(day * 86_400 + time) }
        }
        guard !rule.bySetPos.isEmpty, !occurrences.isEmpty else { return occurrences }
        var selected = Set<Int>()
        for position in rule.bySetPos {
            let index = position > 0 ? position - 1 : occurrences.count + position
            if index >= 0 && index < occurrences.count { selected.insert(occurrences[index]) }
        }
        return selected.sorted()
    }

    private func timesOfDay() -> [Int] {
        var times: [Int] = []
        times.reserveCapacity(hours.count * minutes.count * seconds.count)
        for h in hours {
            for m in minutes {
                for s in seconds { times.append(h * 3600 + m * 60 + s) }
            }
        }
        return times
    }

    /// Whether day number `day` passes every day-level BY part.
    private func matches(_ day: Int) -> Bool {
        let (year, month, dayOfMonth) = CivilTime.date(days: day)
        if !months.isEmpty && !months.contains(month) { return false }
        if !monthDays.isEmpty {
            let length = CivilTime.daysInMonth(year: year, month: month)
            if !monthDays.contains(dayOfMonth) && !monthDays.contains(dayOfMonth - length - 1) { return false }
        }
        if !rule.byYearDay.isEmpty {
            let yearDay = day - CivilTime.days(year: year, month: 1, day: 1) + 1
            let length = CivilTime.isLeap(year) ? 366 : 365
            if !rule.byYearDay.contains(yearDay) && !rule.byYearDay.contains(yearDay - length - 1) { return false }
        }
        if !rule.byWeekNo.isEmpty {
            let (number, weeksInYear) = weekNumber(of: day, year: year)
            if !rule.byWeekNo.contains(number) && !rule.byWeekNo.contains(number - weeksInYear - 1) { return false }
        }
        if !weekdays.isEmpty {
            let weekday = CivilTime.weekday(days: day)
            var any = false
            for entry in weekdays where entry.weekday == weekday {
                guard let ordinal = entry.ordinal else {
                    any = true
                    break
                }
                let inMonth = rule.frequency == .monthly || !rule.byMonth.isEmpty
                let scopeStart = inMonth ? CivilTime.days(year: year, month: month, day: 1) : CivilTime.days(year: year, month: 1, day: 1)
                let scopeLength = inMonth ? CivilTime.daysInMonth(year: year, month: month) : (CivilTime.isLeap(year) ? 366 : 365)
                let position = day - scopeStart
                let nth = ordinal > 0 ? position / 7 + 1 : -((scopeLength - 1 - position) / 7 + 1)
                if nth == ordinal {
                    any = true
                    break
                }
            }
            if !any { return false }
        }
        return true
    }

    /// The week number of `day` (week 1 has at least four days of its year; weeks start on WKST)
    /// and how many weeks that week-year has.
    private func weekNumber(of day: Int, year: Int) -> (number: Int, weeksInYear: Int) {
        func firstWeekStart(_ y: Int) -> Int {
            let jan1 = CivilTime.days(year: y, month: 1, day: 1)
            let offset = (CivilTime.weekday(days: jan1) - rule.weekStart + 7) % 7
            return offset <= 3 ? jan1 - offset : jan1 - offset + 7
        }
        var weekYear = year
        var start = firstWeekStart(year)
        if day < start {
            weekYear -= 1
            start = firstWeekStart(weekYear)
        } else if day >= firstWeekStart(year + 1) {
            weekYear += 1
            start = firstWeekStart(weekYear)
        }
        return ((day - start) / 7 + 1, (firstWeekStart(weekYear + 1) - start) / 7)
    }
}
