import OrdinautCalendar
import Testing

@Suite("DST marks of previewed occurrences")
struct DSTShiftTests {
    private func marked(_ expression: String, after: String, count: Int = 3) throws -> [String] {
        let chisinau = try zone("Europe/Chisinau")
        let cron = try CronExpression(expression)
        let start = instant(after, chisinau)
        let instants = try cron.next(count, after: start, in: chisinau)
        let marks = DSTShift.marks(instants, start: start, zone: chisinau) { after, fixed in try? cron.next(after: after, in: fixed) }
        return zip(instants, marks).map { "\(wall($0, chisinau)) \($1?.rawValue ?? "-")" }
    }

    @Test func aTimeInTheSpringGapIsMarkedMoved() throws {
        #expect(try marked("30 2 * * *", after: "2025-03-28T12:00") == [
            "2025-03-29T02:30:00+02:00 -", "2025-03-30T03:30:00+03:00 moved", "2025-03-31T02:30:00+03:00 -",
        ])
    }

    @Test func aTimeThatExistsAfterTheGapOnlyChangesOffset() throws {
        // 03:30 lands on the same instant a moved 02:30 would: the schedule's own time tells them apart.
        #expect(try marked("30 3 * * *", after: "2025-03-28T12:00") == [
            "2025-03-29T03:30:00+02:00 -", "2025-03-30T03:30:00+03:00 offset_changed", "2025-03-31T03:30:00+03:00 -",
        ])
    }

    @Test func fallingBackChangesTheOffsetOfTheNextOccurrence() throws {
        #expect(try marked("0 12 * * *", after: "2025-10-25T00:00") == [
            "2025-10-25T12:00:00+03:00 -", "2025-10-26T12:00:00+02:00 offset_changed", "2025-10-27T12:00:00+02:00 -",
        ])
    }

    @Test func withoutANominalTimeAShiftIsAnOffsetChange() throws {
        let chisinau = try zone("Europe/Chisinau")
        let start = instant("2025-03-29T12:00", chisinau)
        let moved = instant("2025-03-30T02:30", chisinau)
        #expect(DSTShift.marks([moved], start: start, zone: chisinau) { _, _ in nil } == [.offsetChanged])
        #expect(DSTShift.marks([start + 3600], start: start, zone: chisinau) { _, _ in nil } == [nil])
    }
}
