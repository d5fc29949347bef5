import OrdinautCalendar
import Testing

@Suite("Cron")
struct CronTests {
    func firings(_ expression: String, after: String, zone name: String = "UTC", count: Int = 5) throws -> [String] {
        let zone = try zone(name)
        let cron = try CronExpression(expression)
        return try cron.next(count, after: instant(after, zone), in: zone).map { wall($0, zone) }
    }

    @Test func weekdaysAreNotShifted() throws {
        #expect(try firings("0 9 * * 1-5", after: "2025-01-05T12:00") == [
            "2025-01-06T09:00:00+00:00", "2025-01-07T09:00:00+00:00", "2025-01-08T09:00:00+00:00",
            "2025-01-09T09:00:00+00:00", "2025-01-10T09:00:00+00:00",
        ])
        #expect(try firings("0 9 * * MON-FRI", after: "2025-01-05T12:00", count: 1) == ["2025-01-06T09:00:00+00:00"])
        #expect(try firings("0 0 * * 7", after: "2025-01-01T00:00", count: 1) == ["2025-01-05T00:00:00+00:00"])
    }

    @Test func listsRangesStepsAndSeconds() throws {
        #expect(try firings("*/20 * * * *", after: "2025-01-01T00:00", count: 4) == [
            "2025-01-01T00:20:00+00:00", "2025-01-01T00:40:00+00:00", "2025-01-01T01:00:00+00:00", "2025-01-01T01:20:00+00:00",
        ])
        #expect(try firings("30 */10 * * * *", after: "2025-01-01T00:00", count: 2) == ["2025-01-01T00:00:30+00:00", "2025-01-01T00:10:30+00:00"])
        #expect(try firings("0 8-10/2 1,15 JAN,jul *", after: "2025-01-01T09:00", count: 3) == [
            "2025-01-01T10:00:00+00:00", "2025-01-15T08:00:00+00:00", "2025-01-15T10:00:00+00:00",
        ])
        #expect(try firings("@monthly", after: "2025-01-31T00:00", count: 2) == ["2025-02-01T00:00:00+00:00", "2025-03-01T00:00:00+00:00"])
    }

    @Test func dayOfMonthAndDayOfWeekUseTheOrRule() throws {
        // The 13th, or any Friday.
        #expect(try firings("0 0 13 * 5", after: "2025-06-01T00:00", count: 4) == [
            "2025-06-06T00:00:00+00:00", "2025-06-13T00:00:00+00:00", "2025-06-20T00:00:00+00:00", "2025-06-27T00:00:00+00:00",
        ])
        // A day field that starts with * is unrestricted for Vixie, so both must match: odd days that are Fridays.
        #expect(try firings("0 0 */2 * 5", after: "2025-06-01T00:00", count: 2) == ["2025-06-13T00:00:00+00:00", "2025-06-27T00:00:00+00:00"])
    }

    @Test func lastNearestAndNth() throws {
        #expect(try firings("0 12 L * *", after: "2024-01-31T13:00", count: 3) == [
            "2024-02-29T12:00:00+00:00", "2024-03-31T12:00:00+00:00", "2024-04-30T12:00:00+00:00",
        ])
        #expect(try firings("0 12 LW * *", after: "2025-05-01T00:00", count: 1) == ["2025-05-30T12:00:00+00:00"])
        // 2025-03-15 is a Saturday: 15W fires on Friday the 14th; 2025-06-01 is a Sunday: 1W is Monday the 2nd.
        #expect(try firings("0 12 15W * *", after: "2025-03-01T00:00", count: 1) == ["2025-03-14T12:00:00+00:00"])
        #expect(try firings("0 12 1W * *", after: "2025-05-31T00:00", count: 1) == ["2025-06-02T12:00:00+00:00"])
        #expect(try firings("0 12 * * 5L", after: "2025-01-01T00:00", count: 2) == ["2025-01-31T12:00:00+00:00", "2025-02-28T12:00:00+00:00"])
        #expect(try firings("0 12 * * FRI#3", after: "2025-01-01T00:00", count: 2) == ["2025-01-17T12:00:00+00:00", "2025-02-21T12:00:00+00:00"])
    }

    @Test func daylightSavingTimeInTheZone() throws {
        // Spring forward in New York: 02:30 does not exist and fires at 03:30, once.
        #expect(try firings("30 * * * *", after: "2025-03-09T00:00", zone: "America/New_York", count: 4) == [
            "2025-03-09T00:30:00-05:00", "2025-03-09T01:30:00-05:00", "2025-03-09T03:30:00-04:00", "2025-03-09T04:30:00-04:00",
        ])
        // Fall back: 01:30 happens twice and fires once.
        #expect(try firings("30 1 * * *", after: "2025-11-01T12:00", zone: "America/New_York", count: 2) == [
            "2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00",
        ])
        #expect(try firings("0 9 * * *", after: "2025-03-29T12:00", zone: "Europe/Chisinau", count: 2) == [
            "2025-03-30T09:00:00+03:00", "2025-03-31T09:00:00+03:00",
        ])
    }

    @Test("bad expressions name the field and value", arguments: [
        ("* * * *", "5 fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day-of-month"),
        ("* * * 13 *", "month"), ("* * * * 8", "day-of-week"), ("*/0 * * * *", "step"), ("5-1 * * * *", "backwards"),
        ("@reboot", "macro"), ("0 0 30 2 *", "never fires"), ("a b c d e", "minute"), ("0 0 * * 5#6", "5#3"),
    ])
    func rejects(_ expression: String, _ fragment: String) {
        do {
            _ = try CronExpression(expression)
            Issue.record("\(expression) was accepted")
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    @Test func arbitraryStringsNeverCrash() throws {
        let alphabet = Array("0123456789*/-,LW#? JANFEBSUNMON@")
        var generator = SystemRandomNumberGenerator()
        let utc = try zone("UTC")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0..<20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if let cron = try? CronExpression(text) { _ = try? cron.next(after: 0, in: utc) }
        }
    }
}
