import OrdinautCalendar
import Testing

/// Parses `2025-01-05T12:00` (wall clock in `zone`) or `2025-01-05T12:00Z` into a UTC instant.
func instant(_ text: String, _ zone: ZoneRules) -> Int {
    let utc = text.hasSuffix("Z")
    let body = utc ? String(text.dropLast()) : text
    let parts = body.split(whereSeparator: { "-T:".contains($0) }).map { Int($0)! }
    let local = LocalDateTime(year: parts[0], month: parts[1], day: parts[2], hour: parts.count > 3 ? parts[3] : 0,
                              minute: parts.count > 4 ? parts[4] : 0, second: parts.count > 5 ? parts[5] : 0)
    return utc ? local.localSeconds : zone.instant(ofLocal: local.localSeconds)
}

/// An instant as `2025-03-30T09:00:00+03:00` in `zone`.
func wall(_ instant: Int, _ zone: ZoneRules) -> String {
    let offset = zone.offset(atUTC: instant)
    let sign = offset < 0 ? "-" : "+"
    let magnitude = abs(offset)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return LocalDateTime(localSeconds: instant + offset).description + "\(sign)\(two(magnitude / 3600)):\(two(magnitude % 3600 / 60))"
}

func zone(_ identifier: String) throws -> ZoneRules {
    try TimeZoneDatabase.zone(identifier)
}
