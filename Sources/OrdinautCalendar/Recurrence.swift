/// A recurrence set as iCalendar writes it: DTSTART, one RRULE, and RDATE/EXDATE lists, in a zone.
///
/// ```
/// DTSTART;TZID=Europe/Chisinau:20250301T083000
/// RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR
/// EXDATE;TZID=Europe/Chisinau:20250303T083000
/// ```
public struct Recurrence: Sendable {
    public let rule: RecurrenceRule?
    /// DTSTART in wall-clock local seconds.
    public let start: Int
    public let extraDates: [Int]
    public let excludedDates: Set<Int>
    public let zone: ZoneRules

    /// A recurrence from its parts. `start` is the wall-clock DTSTART in `zone`.
    public init(rule: RecurrenceRule?, start: LocalDateTime, zone: ZoneRules, extraDates: [LocalDateTime] = [],
                excludedDates: [LocalDateTime] = []) {
        self.rule = rule
        self.start = start.localSeconds
        self.zone = zone
        self.extraDates = extraDates.map(\.localSeconds).sorted()
        self.excludedDates = Set(excludedDates.map { zone.instant(ofLocal: $0.localSeconds) })
    }

    /// Parses iCalendar lines (`DTSTART`, `RRULE`, `RDATE`, `EXDATE`), or a bare rule (`FREQ=…`) with
    /// `defaultStart`. A `TZID` on DTSTART overrides `zone`; a UTC DTSTART (`…Z`) is converted to it.
    public init(parsing text: String, defaultStart: LocalDateTime? = nil, zone defaultZone: ZoneRules) throws(ScheduleError) {
        var rule: RecurrenceRule? = nil
        var startValue: Int? = nil
        var zone = defaultZone
        var extra: [Int] = [], excluded: [Int] = []
        var startIsUTC = false
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        guard lines.count <= 1000 else { throw ScheduleError("too many lines in the recurrence") }
        for line in lines {
            let upper = line.uppercased()
            if upper.hasPrefix("FREQ=") || upper.hasPrefix("RRULE:") {
                guard rule == nil else { throw ScheduleError("only one RRULE is supported per recurrence") }
                rule = try RecurrenceRule(line)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw ScheduleError("\"\(line)\" is not an iCalendar property line") }
            let head = line[..<colon].split(separator: ";").map(String.init)
            let value = String(line[line.index(after: colon)...])
            let name = head[0].uppercased()
            var lineZone = zone
            for parameter in head.dropFirst() where parameter.uppercased().hasPrefix("TZID=") {
                do throws(TimeZoneError) {
                    lineZone = try TimeZoneDatabase.zone(String(parameter.dropFirst(5)))
                } catch {
                    throw ScheduleError(error.description)
                }
            }
            func times() throws(ScheduleError) -> [(Int, Bool)] {
                var result: [(Int, Bool)] = []
                for item in value.split(separator: ",") {
                    guard let parsed = ICalendarTime.parse(String(item)) else { throw ScheduleError("\(name) value \"\(item)\" is not a DATE or DATE-TIME") }
                    result.append((parsed.seconds, parsed.isUTC))
                }
                return result
            }
            switch name {
            case "DTSTART":
                guard startValue == nil else { throw ScheduleError("DTSTART appears twice") }
                zone = lineZone
                guard let first = try times().first else { throw ScheduleError("DTSTART has no value") }
                startValue = first.0
                startIsUTC = first.1
            case "RDATE":
                extra += try times().map { $0.1 ? lineZone.local(ofInstant: $0.0) : $0.0 }
            case "EXDATE":
                excluded += try times().map { $0.1 ? lineZone.local(ofInstant: $0.0) : $0.0 }
            default:
                throw ScheduleError("unsupported recurrence property \(name); use DTSTART, RRULE, RDATE or EXDATE")
            }
        }
        guard rule != nil || !extra.isEmpty else { throw ScheduleError("a recurrence needs an RRULE or RDATEs") }
        let startLocal: Int
        if let startValue {
            startLocal = startIsUTC ? zone.local(ofInstant: startValue) : startValue
        } else if let defaultStart {
            startLocal = defaultStart.localSeconds
        } else {
            throw ScheduleError("a recurrence needs a DTSTART")
        }
        self.init(rule: rule, start: LocalDateTime(localSeconds: startLocal), zone: zone,
                  extraDates: extra.map { LocalDateTime(localSeconds: $0) }, excludedDates: excluded.map { LocalDateTime(localSeconds: $0) })
    }

    /// The first occurrence strictly after `instant` (UTC seconds), or `nil` when the series is exhausted.
    ///
    /// `emitted` is how many instances of the rule fell at or before `instant` (EXDATE-excluded ones
    /// included, as COUNT counts them); with it, a COUNT rule jumps straight to `instant`'s period.
    /// Without it, a COUNT rule is counted from DTSTART (bounded by COUNT).
    public func next(after instant: Int, emitted: Int? = nil) throws(ScheduleError) -> Int? {
        var best: Int? = nil
        if let rule {
            best = try nextFromRule(rule, after: instant, emitted: emitted)
        }
        for extra in extraDates {
            let resolved = zone.instant(ofLocal: extra)
            if resolved > instant && !excludedDates.contains(resolved) {
                if best == nil || resolved < best! { best = resolved }
                break
            }
        }
        return best
    }

    private func nextFromRule(_ rule: RecurrenceRule, after instant: Int, emitted: Int?) throws(ScheduleError) -> Int? {
        var iterator = RuleIterator(rule: rule, start: start)
        var remaining = rule.count
        if rule.count == nil || emitted != nil {
            // A day's margin covers the largest offset change (Samoa skipped a whole day).
            iterator.seek(toLocal: zone.local(ofInstant: instant) - 90_000)
            if let count = rule.count, let emitted { remaining = count - emitted }
        }
        let counting = rule.count != nil && emitted == nil
        while true {
            if let left = remaining, left <= 0 { return nil }
            guard let local = iterator.next() else {
                throw ScheduleError("the rule \"\(rule.source)\" has no occurrence within the search limit")
            }
            if let until = rule.until {
                switch until {
                case .local(let limit): if local > limit { return nil }
                case .instant(let limit): if zone.instant(ofLocal: local) > limit { return nil }
                }
            }
            let resolved = zone.instant(ofLocal: local)
            if resolved > instant {
                if !excludedDates.contains(resolved) {
                    return resolved
                }
                if let left = remaining { remaining = left - 1 }
                continue
            }
            if counting, let left = remaining { remaining = left - 1 }
        }
    }

    /// The next `count` occurrences after `instant`, in one pass over the series.
    public func next(_ count: Int, after instant: Int) throws(ScheduleError) -> [Int] {
        var results: [Int] = []
        guard count > 0 else { return results }
        var pendingExtras = extraDates.map { zone.instant(ofLocal: $0) }.filter { $0 > instant && !excludedDates.contains($0) }
        pendingExtras.sort()
        var extraIndex = 0
        func takeExtras(upTo limit: Int?) {
            while extraIndex < pendingExtras.count, results.count < count, limit == nil || pendingExtras[extraIndex] <= limit! {
                if results.last != pendingExtras[extraIndex] { results.append(pendingExtras[extraIndex]) }
                extraIndex += 1
            }
        }
        if let rule {
            var iterator = RuleIterator(rule: rule, start: start)
            if rule.count == nil { iterator.seek(toLocal: zone.local(ofInstant: instant) - 90_000) }
            var produced = 0
            while results.count < count {
                if let limit = rule.count, produced >= limit { break }
                guard let local = iterator.next() else {
                    throw ScheduleError("the rule \"\(rule.source)\" has no occurrence within the search limit")
                }
                produced += 1
                let resolved = zone.instant(ofLocal: local)
                if case .local(let limit)? = rule.until, local > limit { break }
                if case .instant(let limit)? = rule.until, resolved > limit { break }
                guard resolved > instant, !excludedDates.contains(resolved) else { continue }
                takeExtras(upTo: resolved - 1)
                if results.count < count && results.last != resolved { results.append(resolved) }
            }
        }
        takeExtras(upTo: nil)
        return Array(results.prefix(count))
    }

    /// Occurrences in `[from, to)`, at most `limit`.
    public func occurrences(from: Int, to: Int, limit: Int = 10_000) throws(ScheduleError) -> [Int] {
        try next(limit, after: from - 1).filter { $0 < to }
    }

    /// Checks that the series has at least one occurrence after DTSTART's instant minus one second.
    public func validate() throws(ScheduleError) {
        guard try next(after: zone.instant(ofLocal: start) - 1) != nil else {
            throw ScheduleError("the recurrence has no occurrence at or after its DTSTART")
        }
    }
}
