import OrdinautCalendar
import OrdinautCore
import OrdinautJMESPath

/// The time arithmetic of templates: `now + 24h`, `now - PT30M`, `run.started_at + 1d12h`,
/// `now @ Europe/Chisinau`, `now + 1w @ America/New_York`.
///
/// The left side is a JMESPath expression that yields an ISO-8601 time; an optional `+` or `-`
/// duration follows (`30s`, `15m`, `24h`, `2d`, `1w` and combinations such as `1d12h`, or ISO-8601
/// `PT24H`, `P1DT2H`, `P2W`); an optional `@ Zone` renders the result in that IANA zone. Without a
/// zone the result is UTC (`2025-01-02T09:00:00Z`).
struct TimeExpression: Sendable {
    let base: JMESPathExpression
    let shift: Int
    let zone: ZoneRules?

    /// `nil` when `text` has no time suffix (it is then an ordinary JMESPath expression).
    static func parse(_ text: String) throws(TemplateError) -> TimeExpression? {
        var body = Substring(text)
        var zone: ZoneRules? = nil
        if let at = topLevelIndex(of: "@", in: body), at != body.startIndex {
            let name = body[body.index(after: at)...].trimmingCharacters()
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "/_+-".contains($0) }) {
                do throws(TimeZoneError) {
                    zone = try TimeZoneDatabase.zone(String(name))
                } catch {
                    throw TemplateError("template ${\(text)}: \(error.description)")
                }
                body = body[..<at]
            }
        }
        var shift = 0
        var hasShift = false
        if let sign = topLevelIndex(of: "+", in: body) ?? topLevelMinus(in: body) {
            let amount = body[body.index(after: sign)...].trimmingCharacters()
            if let seconds = Self.duration(String(amount)) {
                shift = body[sign] == "-" ? -seconds : seconds
                hasShift = true
                body = body[..<sign]
            }
        }
        guard hasShift || zone != nil else { return nil }
        let baseText = String(body.trimmingCharacters())
        do throws(JMESPathError) {
            return TimeExpression(base: try JMESPathExpression.cached(baseText), shift: shift, zone: zone)
        } catch {
            throw TemplateError("template ${\(text)}: invalid expression \"\(baseText)\": \(error)")
        }
    }

    func evaluate(_ context: JSONValue, text: String, budget: EvaluationBudget) throws(TemplateError) -> JSONValue {
        let value: JSONValue
        do throws(JMESPathError) {
            value = try base.search(context, budget: budget)
        } catch {
            throw TemplateError(source: text, error)
        }
        guard let string = value.stringValue, let instant = try? SchedulePreview.parseTime(string, zone: .utc) else {
            throw TemplateError("template ${\(text)}: \"\(base.source)\" is \(value), not an ISO-8601 time")
        }
        let shifted = instant + shift
        guard let zone else { return .string(LocalDateTime(localSeconds: shifted).description + "Z") }
        return .string(SchedulePreview.Occurrence(instant: shifted, offset: zone.offset(atUTC: shifted)).wallClock)
    }

    /// Seconds in `30s`, `1d12h`, `PT24H`, `P1DT2H30M`, `P2W`; `nil` when it is not a duration.
    static func duration(_ text: String) -> Int? {
        let upper = text.uppercased()
        guard !upper.isEmpty, upper.count <= 40 else { return nil }
        var total = 0
        var number = 0
        var digits = 0
        var inTime = false
        var sawUnit = false
        let iso = upper.hasPrefix("P")
        for character in iso ? Array(upper.dropFirst()) : Array(upper) {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = number * 10 + digit
                digits += 1
                guard digits <= 9 else { return nil }
                continue
            }
            if iso && character == "T" && digits == 0 {
                inTime = true
                continue
            }
            guard digits > 0 else { return nil }
            let unit: Int
            switch (character, iso, inTime) {
            case ("S", false, _), ("S", true, true): unit = 1
            case ("M", false, _), ("M", true, true): unit = 60
            case ("H", false, _), ("H", true, true): unit = 3600
            case ("D", _, false): unit = 86_400
            case ("W", _, false): unit = 604_800
            default: return nil
            }
            total += number * unit
            number = 0
            digits = 0
            sawUnit = true
        }
        return sawUnit && digits == 0 ? total : nil
    }

    /// The last `target` outside quotes and brackets.
    private static func topLevelIndex(of target: Character, in text: Substring) -> Substring.Index? {
        var found: Substring.Index? = nil
        ExpressionScanner.scan(text) { index, character, depth in
            if depth == 0 && character == target { found = index }
            return true
        }
        return found
    }

    /// The last top-level `-` that can be an operator (not the first character; JMESPath has no
    /// minus, so outside brackets and quotes a `-` is ours).
    private static func topLevelMinus(in text: Substring) -> Substring.Index? {
        var found: Substring.Index? = nil
        ExpressionScanner.scan(text) { index, character, depth in
            if depth == 0 && character == "-" && index != text.startIndex { found = index }
            return true
        }
        return found
    }
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var result = self
        while let first = result.first, first.isWhitespace { result = result.dropFirst() }
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        return result
    }
}
