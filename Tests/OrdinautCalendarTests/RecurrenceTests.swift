import OrdinautCalendar
import Testing

@Suite("RRULE")
struct RecurrenceTests {
    func occurrences(_ rule: String, start: String, after: String, zone name: String, count: Int = 3) throws -> [String] {
        let zone = try zone(name)
        let parts = start.split(whereSeparator: { "-T:".contains($0) }).map { Int($0)! }
        let dtstart = LocalDateTime(year: parts[0], month: parts[1], day: parts[2], hour: parts.count > 3 ? parts[3] : 0, minute: parts.count > 4 ? parts[4] : 0)
        let recurrence = try Recurrence(parsing: rule, defaultStart: dtstart, zone: zone)
        return try recurrence.next(count, after: instant(after, zone)).map { wall($0, zone) }
    }

    @Test func referenceExamplesInChisinau() throws {
        #expect(try occurrences("FREQ=DAILY;BYHOUR=9;BYMINUTE=0", start: "2025-01-01T00:00", after: "2025-03-29T12:00", zone: "Europe/Chisinau", count: 1)
                == ["2025-03-30T09:00:00+03:00"])
        #expect(try occurrences("FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=12;BYMINUTE=0", start: "2025-01-01T00:00", after: "2025-04-01T00:00", zone: "Europe/Chisinau", count: 1)
                == ["2025-05-31T12:00:00+03:00"])
        #expect(try occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", start: "2025-01-01T00:00", after: "2025-10-25T12:00", zone: "Europe/Chisinau", count: 2)
                == ["2025-10-26T02:30:00+03:00", "2025-10-27T02:30:00+02:00"])
        #expect(try occurrences("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30", start: "2025-01-01T00:00", after: "2025-01-03T09:00", zone: "Europe/Chisinau", count: 3)
                == ["2025-01-06T08:30:00+02:00", "2025-01-07T08:30:00+02:00", "2025-01-08T08:30:00+02:00"])
    }

    @Test func secondsComeFromTheRuleAndIntervalFromDTSTART() throws {
        // DTSTART at :00 seconds; every other day from the 1st, whatever "now" is.
        #expect(try occurrences("FREQ=DAILY;INTERVAL=2", start: "2025-01-01T10:00", after: "2025-01-04T12:00", zone: "UTC", count: 2)
                == ["2025-01-05T10:00:00+00:00", "2025-01-07T10:00:00+00:00"])
        #expect(try occurrences("FREQ=HOURLY;INTERVAL=5", start: "2025-01-01T01:00", after: "2025-01-02T00:00", zone: "UTC", count: 2)
                == ["2025-01-02T02:00:00+00:00", "2025-01-02T07:00:00+00:00"])
    }

    @Test func countAndUntilExhaust() throws {
        #expect(try occurrences("FREQ=DAILY;COUNT=3", start: "2025-01-01T09:00", after: "2024-12-31T00:00", zone: "UTC", count: 10)
                == ["2025-01-01T09:00:00+00:00", "2025-01-02T09:00:00+00:00", "2025-01-03T09:00:00+00:00"])
        #expect(try occurrences("FREQ=DAILY;COUNT=3", start: "2025-01-01T09:00", after: "2025-01-02T10:00", zone: "UTC", count: 10)
                == ["2025-01-03T09:00:00+00:00"])
        #expect(try occurrences("FREQ=WEEKLY;UNTIL=20250115T090000Z", start: "2025-01-01T09:00", after: "2024-12-31T00:00", zone: "UTC", count: 10)
                == ["2025-01-01T09:00:00+00:00", "2025-01-08T09:00:00+00:00", "2025-01-15T09:00:00+00:00"])
    }

    @Test func setPosWeekNoYearDayAndOrdinals() throws {
        // The last weekday of the month.
        #expect(try occurrences("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", start: "2025-01-01T17:00", after: "2025-01-01T00:00", zone: "UTC")
                == ["2025-01-31T17:00:00+00:00", "2025-02-28T17:00:00+00:00", "2025-03-31T17:00:00+00:00"])
        // Monday of ISO week 20.
        #expect(try occurrences("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", start: "2025-01-01T09:00", after: "2025-01-01T00:00", zone: "UTC", count: 2)
                == ["2025-05-12T09:00:00+00:00", "2026-05-11T09:00:00+00:00"])
        #expect(try occurrences("FREQ=YEARLY;BYYEARDAY=1,-1", start: "2025-01-01T00:00", after: "2025-01-01T00:00", zone: "UTC", count: 2)
                == ["2025-12-31T00:00:00+00:00", "2026-01-01T00:00:00+00:00"])
        // US Thanksgiving; the second-to-last Friday of the year.
        #expect(try occurrences("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", start: "2025-01-01T12:00", after: "2025-01-01T00:00", zone: "UTC", count: 2)
                == ["2025-11-27T12:00:00+00:00", "2026-11-26T12:00:00+00:00"])
        #expect(try occurrences("FREQ=YEARLY;BYDAY=-2FR", start: "2025-01-01T12:00", after: "2025-01-01T00:00", zone: "UTC", count: 1)
                == ["2025-12-19T12:00:00+00:00"])
        // Leap days only.
        #expect(try occurrences("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", start: "2025-01-01T00:00", after: "2025-01-01T00:00", zone: "UTC", count: 2)
                == ["2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00"])
    }

    @Test func daylightSavingAcrossZones() throws {
        // New York spring forward: 02:30 moves to 03:30.
        #expect(try occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", start: "2025-03-01T00:00", after: "2025-03-08T12:00", zone: "America/New_York", count: 2)
                == ["2025-03-09T03:30:00-04:00", "2025-03-10T02:30:00-04:00"])
        // Lord Howe shifts by half an hour.
        #expect(try occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=15", start: "2025-01-01T00:00", after: "2025-10-04T12:00", zone: "Australia/Lord_Howe", count: 2)
                == ["2025-10-05T02:45:00+11:00", "2025-10-06T02:15:00+11:00"])
        // Samoa skipped 2011-12-30.
        #expect(try occurrences("FREQ=DAILY;BYHOUR=12", start: "2011-12-01T00:00", after: "2011-12-29T13:00", zone: "Pacific/Apia", count: 2)
                == ["2011-12-31T12:00:00+14:00", "2012-01-01T12:00:00+14:00"])
    }

    @Test func iCalendarLinesWithExdateAndRdate() throws {
        let zone = try zone("UTC")
        let text = """
        DTSTART;TZID=Europe/Chisinau:20250106T083000
        RRULE:FREQ=DAILY;COUNT=4
        EXDATE;TZID=Europe/Chisinau:20250107T083000
        RDATE;TZID=Europe/Chisinau:20250120T100000
        """
        let recurrence = try Recurrence(parsing: text, zone: zone)
        let chisinau = try TimeZoneDatabase.zone("Europe/Chisinau")
        #expect(try recurrence.next(10, after: 0).map { wall($0, chisinau) } == [
            "2025-01-06T08:30:00+02:00", "2025-01-08T08:30:00+02:00", "2025-01-09T08:30:00+02:00", "2025-01-20T10:00:00+02:00",
        ])
    }

    @Test("invalid rules get specific messages", arguments: [
        ("FREQ=DAILY;COUNT=2;UNTIL=20250101T000000Z", "COUNT or UNTIL"), ("FREQ=FORTNIGHTLY", "unknown FREQ"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"), ("FREQ=DAILY;INTERVAL=0", "INTERVAL"), ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13"),
        ("FREQ=DAILY;BYDAY=1MO", "ordinals"), ("FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO"), ("BYDAY=MO", "FREQ"),
        ("FREQ=DAILY;FOO=1", "unknown RRULE part"), ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS"), ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
    ])
    func rejects(_ rule: String, _ fragment: String) {
        do {
            _ = try RecurrenceRule(rule)
            Issue.record("\(rule) was accepted")
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    @Test func aRuleWithNoOccurrenceGivesUpWithAnError() throws {
        let recurrence = try Recurrence(parsing: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", defaultStart: LocalDateTime(year: 2025, month: 1, day: 1), zone: .utc)
        #expect(throws: ScheduleError.self) { try recurrence.validate() }
        #expect(throws: ScheduleError.self) { try Recurrence(parsing: "FREQ=DAILY", defaultStart: nil, zone: .utc) }
        #expect(throws: ScheduleError.self) { try Recurrence(parsing: "DTSTART;TZID=Nowhere/Land:20250101T000000\nRRULE:FREQ=DAILY", zone: .utc) }
    }

    @Test func arbitraryRulesNeverCrash() {
        let pieces = ["FREQ=", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", ";", "BYDAY=", "MO", "-1FR", ",", "BYMONTH=", "2",
                      "BYMONTHDAY=", "31", "-1", "BYSETPOS=", "COUNT=", "5", "INTERVAL=", "BYWEEKNO=", "53", "BYYEARDAY=", "366", "=", "X"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0..<10, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if let recurrence = try? Recurrence(parsing: text, defaultStart: LocalDateTime(year: 2025, month: 1, day: 1), zone: .utc) {
                _ = try? recurrence.next(3, after: 0)
            }
        }
    }
}

@Suite("Occurrences in a window")
struct WindowTests {
    @Test func cronAndRecurrenceListAWindow() throws {
        let zone = try zone("Europe/Chisinau")
        let from = instant("2025-01-06T00:00", zone), to = instant("2025-01-09T00:00", zone)
        let cron = try CronExpression("0 9 * * *").occurrences(from: from, to: to, in: zone)
        #expect(cron.map { wall($0, zone) } == ["2025-01-06T09:00:00+02:00", "2025-01-07T09:00:00+02:00", "2025-01-08T09:00:00+02:00"])
        let rule = try Recurrence(parsing: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", defaultStart: LocalDateTime(year: 2025, month: 1, day: 1), zone: zone)
        #expect(try rule.occurrences(from: from, to: to) == cron)
        // The window's start is inclusive and its end exclusive.
        #expect(try rule.occurrences(from: cron[0], to: cron[1]) == [cron[0]])
    }
}
