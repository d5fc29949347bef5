/// How a daylight-saving transition touched one occurrence of a schedule, for previews.
public enum DSTShift: String, Sendable, Equatable {
    /// The wall-clock time the schedule names did not exist (spring forward): the occurrence was
    /// moved forward by the gap.
    case moved
    /// The zone's offset differs from the previous occurrence's (or, for the first, from the
    /// offset at the start of the preview): a transition lies between them.
    case offsetChanged = "offset_changed"

    /// Marks each of `instants` (ascending UTC seconds, the first after `start`) in `zone`.
    /// `nominal(after, fixed)` answers the schedule's next occurrence after an instant as if the
    /// zone kept the fixed offset `fixed` — the wall-clock time the schedule names, before any DST
    /// adjustment; it may be nil when that cannot be computed (then a shift is `offsetChanged`).
    public static func marks(_ instants: [Int], start: Int, zone: ZoneRules,
                             nominal: (_ after: Int, _ fixed: ZoneRules) -> Int?) -> [DSTShift?] {
        var previous = start
        return instants.map { instant in
            defer { previous = instant }
            let before = zone.offset(atUTC: previous)
            guard zone.offset(atUTC: instant) != before else { return nil }
            if let named = nominal(previous, ZoneRules.fixed(offset: before)) {
                let wallClock = named + before
                let placed = zone.instant(ofLocal: wallClock)
                if placed == instant && zone.local(ofInstant: placed) != wallClock { return .moved }
            }
            return .offsetChanged
        }
    }
}

extension ZoneRules {
    /// A zone that keeps one offset forever.
    public static func fixed(offset: Int) -> ZoneRules {
        ZoneRules(identifier: "UTC\(offset < 0 ? "-" : "+")\(abs(offset))s", transitions: [], offsets: [], initialOffset: offset, footer: nil)
    }
}
