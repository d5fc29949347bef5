import OrdinautCalendar
import Testing

@Suite("Time zones from the system database")
struct TimeZoneTests {
    @Test func civilArithmeticRoundTrips() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilTime.date(days: days)
            #expect(CivilTime.days(year: y, month: m, day: d) == days)
        }
        #expect(CivilTime.weekday(days: CivilTime.days(year: 2025, month: 1, day: 5)) == 0)
        #expect(CivilTime.daysInMonth(year: 2024, month: 2) == 29 && CivilTime.daysInMonth(year: 1900, month: 2) == 28)
    }

    @Test func offsetsFollowTheRules() throws {
        let chisinau = try zone("Europe/Chisinau")
        #expect(wall(instant("2025-01-15T12:00Z", .utc), chisinau) == "2025-01-15T14:00:00+02:00")
        #expect(wall(instant("2025-07-15T12:00Z", .utc), chisinau) == "2025-07-15T15:00:00+03:00")
        // Past the end of the transition table the POSIX footer decides.
        #expect(wall(instant("2090-07-15T12:00Z", .utc), chisinau) == "2090-07-15T15:00:00+03:00")
        #expect(wall(instant("2090-12-15T12:00Z", .utc), chisinau) == "2090-12-15T14:00:00+02:00")
        let lordHowe = try zone("Australia/Lord_Howe")
        #expect(wall(instant("2025-01-15T00:00Z", .utc), lordHowe) == "2025-01-15T11:00:00+11:00")
        #expect(wall(instant("2025-07-15T00:00Z", .utc), lordHowe) == "2025-07-15T10:30:00+10:30")
        #expect(wall(instant("2095-01-15T00:00Z", .utc), lordHowe) == "2095-01-15T11:00:00+11:00")
    }

    @Test func gapsMoveForwardAndRepeatsTakeTheFirstInstance() throws {
        let newYork = try zone("America/New_York")
        // 2025-03-09 02:30 does not exist in New York: it moves forward by the gap.
        #expect(wall(instant("2025-03-09T02:30", newYork), newYork) == "2025-03-09T03:30:00-04:00")
        // 2025-11-02 01:30 happens twice: the first (EDT) instance.
        #expect(wall(instant("2025-11-02T01:30", newYork), newYork) == "2025-11-02T01:30:00-04:00")
        let apia = try zone("Pacific/Apia")
        // Samoa skipped 2011-12-30 entirely.
        #expect(wall(instant("2011-12-30T12:00", apia), apia) == "2011-12-31T12:00:00+14:00")
    }

    @Test func badNamesAreRefused() {
        #expect(throws: TimeZoneError.self) { try zone("Mars/Olympus_Mons") }
        #expect(throws: TimeZoneError.self) { try zone("../../etc/passwd") }
        #expect(throws: TimeZoneError.self) { try zone("") }
    }
}
