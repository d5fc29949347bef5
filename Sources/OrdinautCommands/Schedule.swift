import ArgumentParser
import Foundation
import OrdinautCalendar

struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Work with schedules without running anything.",
        subcommands: [Next.self]
    )

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Print the next occurrences of a cron expression or an RFC 5545 recurrence.",
            discussion: """
            Times are wall-clock times in --tz, printed with their UTC offsets. A time that falls in a
            daylight-saving gap moves forward by the gap; one that occurs twice takes its first instance.

            Examples:
              ordinaut schedule next "0 9 * * 1-5" --tz Europe/Chisinau
              ordinaut schedule next "FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=12;BYMINUTE=0" --tz Europe/Chisinau --after 2025-04-01
              ordinaut schedule next "FREQ=DAILY;INTERVAL=2" --dtstart 2025-01-01T10:00 --count 5 --json
              ordinaut schedule next $'DTSTART;TZID=America/New_York:20250101T090000\\nRRULE:FREQ=WEEKLY;COUNT=3'
            """
        )

        @Argument(help: "A cron expression (5 or 6 fields, or @daily…), or an RRULE / iCalendar DTSTART+RRULE+RDATE+EXDATE text.")
        var expression: String

        @Option(help: "cron or rrule; guessed from the expression when omitted.")
        var kind: SchedulePreview.Kind?

        @Option(help: "IANA time zone for wall-clock times.")
        var tz = "UTC"

        @Option(help: "List occurrences after this ISO-8601 time (default: now). Without an offset it is wall-clock time in --tz.")
        var after: String?

        @Option(help: "DTSTART of a recurrence without one (default: --after truncated to the minute); anchors INTERVAL.")
        var dtstart: String?

        @Option(help: "How many occurrences (1-10000).")
        var count = 5

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            do throws(ScheduleError) {
                let zone: ZoneRules
                do throws(TimeZoneError) {
                    zone = try TimeZoneDatabase.zone(tz)
                } catch {
                    throw ScheduleError(error.description)
                }
                let afterInstant = try after.map { text throws(ScheduleError) in try SchedulePreview.parseTime(text, zone: zone) }
                    ?? Int(Date().timeIntervalSince1970)
                let start = try dtstart.map { text throws(ScheduleError) in try SchedulePreview.parseTime(text, zone: zone) }
                let resolvedKind = kind ?? SchedulePreview.kind(of: expression)
                let occurrences = try SchedulePreview.next(expression, kind: resolvedKind, zone: zone, after: afterInstant, dtstart: start, count: count)
                if json {
                    let items = occurrences.map { #"{"local":"\#($0.wallClock)","utc":"\#($0.utc)"}"# }.joined(separator: ",")
                    print(#"{"kind":"\#(resolvedKind.rawValue)","zone":"\#(tz)","occurrences":[\#(items)]}"#)
                } else if occurrences.isEmpty {
                    print("no occurrences after \(after ?? "now")")
                } else {
                    occurrences.forEach { print($0.wallClock) }
                }
            } catch {
                throw CommandFailure(description: error.description)
            }
        }
    }
}

/// A failure reported as `Error: …` with a non-zero exit status, without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

extension SchedulePreview.Kind: ExpressibleByArgument {}
