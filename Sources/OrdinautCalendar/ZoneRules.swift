import Foundation

/// The offset rules of one IANA time zone, read from the system's TZif file, with the POSIX TZ
/// footer for instants past its last transition.
public final class ZoneRules: Sendable {
    /// The zone identifier (`Europe/Chisinau`).
    public let identifier: String
    /// Transition instants (UTC seconds), ascending, and the offset in force from each.
    let transitions: [Int]
    let offsets: [Int]
    /// The offset before the first transition.
    let initialOffset: Int
    let footer: PosixTZ?

    init(identifier: String, transitions: [Int], offsets: [Int], initialOffset: Int, footer: PosixTZ?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.footer = footer
    }

    /// UTC, for rules given without a zone.
    public static let utc = ZoneRules(identifier: "UTC", transitions: [], offsets: [], initialOffset: 0, footer: nil)

    /// The UTC offset, in seconds, at a UTC instant.
    public func offset(atUTC instant: Int) -> Int {
        if let last = transitions.last, instant >= last, let footer {
            return footer.offset(atUTC: instant)
        }
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= instant { low = mid + 1 } else { high = mid }
        }
        if low == 0 { return transitions.isEmpty ? (footer?.offset(atUTC: instant) ?? initialOffset) : initialOffset }
        return offsets[low - 1]
    }

    /// The UTC instant of a wall-clock time, by RFC 5545 rules: a time in a spring-forward gap moves
    /// forward by the length of the gap; an ambiguous time (fall back) takes its first instance.
    public func instant(ofLocal local: Int) -> Int {
        let before = offset(atUTC: local - 86_400)
        let after = offset(atUTC: local + 86_400)
        if before == after { return local - before }
        let first = local - before, second = local - after
        let firstValid = offset(atUTC: first) == before
        let secondValid = offset(atUTC: second) == after
        switch (firstValid, secondValid) {
        case (true, true): return min(first, second)
        case (true, false): return first
        case (false, true): return second
        case (false, false): return first
        }
    }

    /// The wall-clock time of a UTC instant, as local seconds.
    public func local(ofInstant instant: Int) -> Int {
        instant + offset(atUTC: instant)
    }
}

/// A POSIX TZ string such as `EET-2EEST,M3.5.0/3,M10.5.0/4` (the TZif footer).
struct PosixTZ: Sendable {
    struct Rule: Sendable {
        enum Day: Sendable {
            case julianNoLeap(Int)      // Jn: 1...365, February 29 never counted
            case zeroBased(Int)         // n: 0...365
            case monthWeekDay(month: Int, week: Int, weekday: Int)  // Mm.w.d
        }

        let day: Day
        let time: Int

        /// Local seconds (in the offset that applies before the change) at which the rule fires in `year`.
        func localSeconds(in year: Int) -> Int {
            let dayNumber: Int
            switch day {
            case .julianNoLeap(let n):
                var ordinal = n
                if CivilTime.isLeap(year) && n >= 60 { ordinal += 1 }
                dayNumber = CivilTime.days(year: year, month: 1, day: 1) + ordinal - 1
            case .zeroBased(let n):
                dayNumber = CivilTime.days(year: year, month: 1, day: 1) + n
            case .monthWeekDay(let month, let week, let weekday):
                let first = CivilTime.days(year: year, month: month, day: 1)
                var day = first + (weekday - CivilTime.weekday(days: first) + 7) % 7 + (week - 1) * 7
                if week == 5 {
                    let length = CivilTime.daysInMonth(year: year, month: month)
                    while day >= first + length { day -= 7 }
                }
                dayNumber = day
            }
            return dayNumber * 86_400 + time
        }
    }

    let standardOffset: Int
    let daylightOffset: Int?
    let start: Rule?
    let end: Rule?

    func offset(atUTC instant: Int) -> Int {
        guard let daylightOffset, let start, let end else { return standardOffset }
        let year = LocalDateTime(localSeconds: instant + standardOffset).year
        for candidate in [year - 1, year] {
            let begins = start.localSeconds(in: candidate) - standardOffset
            var ends = end.localSeconds(in: candidate) - daylightOffset
            // Southern hemisphere: daylight time runs into the next year.
            if ends <= begins { ends = end.localSeconds(in: candidate + 1) - daylightOffset }
            if instant >= begins && instant < ends { return daylightOffset }
        }
        return standardOffset
    }

    /// Parses the footer; `nil` if it is empty or uses a form we do not understand.
    init?(_ text: String) {
        var scanner = PosixScanner(Array(text.utf8))
        guard scanner.name(), let standard = scanner.offset() else { return nil }
        standardOffset = -standard
        if scanner.atEnd {
            daylightOffset = nil
            start = nil
            end = nil
            return
        }
        guard scanner.name() else { return nil }
        var daylight = standardOffset + 3600
        if !scanner.peek(","), let explicit = scanner.offset() { daylight = -explicit }
        daylightOffset = daylight
        guard scanner.consume(","), let startRule = scanner.rule(), scanner.consume(","), let endRule = scanner.rule() else { return nil }
        start = startRule
        end = endRule
    }
}

private struct PosixScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { position >= bytes.count }

    func peek(_ character: Character) -> Bool {
        position < bytes.count && bytes[position] == character.asciiValue!
    }

    mutating func consume(_ character: Character) -> Bool {
        guard peek(character) else { return false }
        position += 1
        return true
    }

    mutating func name() -> Bool {
        if consume("<") {
            while position < bytes.count && bytes[position] != UInt8(ascii: ">") { position += 1 }
            return consume(">")
        }
        let start = position
        while position < bytes.count, (bytes[position] | 0x20) >= UInt8(ascii: "a"), (bytes[position] | 0x20) <= UInt8(ascii: "z") {
            position += 1
        }
        return position - start >= 3
    }

    mutating func number() -> Int? {
        let start = position
        var value = 0
        while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
            value = value * 10 + Int(bytes[position] - 48)
            position += 1
        }
        return position > start ? value : nil
    }

    /// `[+-]hh[:mm[:ss]]` in seconds (POSIX sign: positive is west of Greenwich).
    mutating func offset() -> Int? {
        var sign = 1
        if consume("-") { sign = -1 } else { _ = consume("+") }
        guard let hours = number() else { return nil }
        var seconds = hours * 3600
        if consume(":") {
            guard let minutes = number() else { return nil }
            seconds += minutes * 60
            if consume(":") {
                guard let secs = number() else { return nil }
                seconds += secs
            }
        }
        return sign * seconds
    }

    mutating func rule() -> PosixTZ.Rule? {
        let day: PosixTZ.Rule.Day
        if consume("M") {
            guard let month = number(), consume("."), let week = number(), consume("."), let weekday = number(),
                  (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday) else { return nil }
            day = .monthWeekDay(month: month, week: week, weekday: weekday)
        } else if consume("J") {
            guard let n = number(), (1...365).contains(n) else { return nil }
            day = .julianNoLeap(n)
        } else {
            guard let n = number(), (0...365).contains(n) else { return nil }
            day = .zeroBased(n)
        }
        var time = 7200
        if consume("/") {
            guard let parsed = offset() else { return nil }
            time = parsed
        }
        return PosixTZ.Rule(day: day, time: time)
    }
}
