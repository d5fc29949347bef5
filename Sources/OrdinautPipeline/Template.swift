import OrdinautCore
import OrdinautJMESPath

/// A JSON value with `${ … }` templates in its strings, compiled once and rendered against a run
/// context (`params`, `steps`, `event`, `task`, `run`, `now`).
///
/// - A string that is exactly one template keeps the JSON type of what it evaluates to
///   (`"${params.age}"` → `30`); `null` stays `null`.
/// - Templates embedded in text render as text (strings as they are, everything else as compact
///   JSON); one that evaluates to `null` there is an error, never the text `null`.
/// - Objects and arrays are rendered member by member; keys are not templates.
/// - A value produced by substitution is never rendered again.
/// - `${}` and an unterminated `${…` are literal text; `$${` writes a literal `${`.
/// - Time arithmetic: see `TimeExpression` (`${now+24h}`, `${now - PT30M @ Europe/Chisinau}`).
public struct Template: Sendable {
    indirect enum Part: Sendable {
        case literal(JSONValue)
        case text([Segment])
        case whole(Expression)
        case array([Part])
        case object([(String, Part)])
    }

    enum Segment: Sendable {
        case text(String)
        case expression(Expression)
    }

    struct Expression: Sendable {
        let source: String
        let query: JMESPathExpression?
        let time: TimeExpression?

        func evaluate(_ context: JSONValue, budget: EvaluationBudget) throws(TemplateError) -> JSONValue {
            if let time { return try time.evaluate(context, text: source, budget: budget) }
            do throws(JMESPathError) {
                return try query!.search(context, budget: budget)
            } catch {
                throw TemplateError(source: source, error)
            }
        }
    }

    let root: Part
    /// The context names the templates read (`params`, `steps`, …), for validation before a run.
    public let variables: [String]

    /// Compiles every template in `value`; an invalid expression is an error naming it.
    public init(_ value: JSONValue) throws(TemplateError) {
        var names: [String] = []
        root = try Self.compile(value, names: &names, depth: 0)
        var seen = Set<String>()
        variables = names.filter { seen.insert($0).inserted }
    }

    /// Renders against `context`; every expression and the text around them count against
    /// `budget`. An error names where in the value it happened (`TemplateError.path`).
    public func render(_ context: JSONValue, budget: EvaluationBudget = EvaluationBudget()) throws(TemplateError) -> JSONValue {
        try Self.render(root, context, budget)
    }

    /// Compiles and renders in one step, under the standard limits.
    public static func render(_ value: JSONValue, context: JSONValue) throws(TemplateError) -> JSONValue {
        try Template(value).render(context)
    }

    private static let maximumDepth = 64

    private static func compile(_ value: JSONValue, names: inout [String], depth: Int) throws(TemplateError) -> Part {
        guard depth <= maximumDepth else { throw TemplateError("templates nested deeper than \(maximumDepth) levels") }
        switch value {
        case .string(let text):
            let segments = try parse(text, names: &names)
            if segments.count == 1, case .expression(let expression) = segments[0] { return .whole(expression) }
            if segments.allSatisfy({ if case .text = $0 { return true } else { return false } }) {
                return .literal(.string(segments.map { if case .text(let t) = $0 { return t } else { return "" } }.joined()))
            }
            return .text(segments)
        case .array(let items):
            var parts: [Part] = []
            for item in items { parts.append(try compile(item, names: &names, depth: depth + 1)) }
            return .array(parts)
        case .object(let object):
            var parts: [(String, Part)] = []
            for (key, item) in object { parts.append((key, try compile(item, names: &names, depth: depth + 1))) }
            return .object(parts)
        default:
            return .literal(value)
        }
    }

    /// Splits text into literal runs and `${…}` expressions.
    static func parse(_ text: String, names: inout [String]) throws(TemplateError) -> [Segment] {
        var segments: [Segment] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "$" {
                let next = text.index(after: index)
                if text[next...].hasPrefix("${") {
                    literal += "${"
                    index = text.index(next, offsetBy: 2)
                    continue
                }
                if next < text.endIndex, text[next] == "{", let close = closingBrace(in: text, from: text.index(after: next)) {
                    let body = text[text.index(after: next)..<close]
                    let trimmed = String(body.trimmingCharacters())
                    if trimmed.isEmpty {
                        literal += "${" + body + "}"
                    } else {
                        if !literal.isEmpty { segments.append(.text(literal)) }
                        literal = ""
                        let expression = try compileExpression(trimmed)
                        names += expression.query?.rootFields ?? expression.time?.base.rootFields ?? []
                        segments.append(.expression(expression))
                    }
                    index = text.index(after: close)
                    continue
                }
            }
            literal.append(character)
            index = text.index(after: index)
        }
        if !literal.isEmpty || segments.isEmpty { segments.append(.text(literal)) }
        return segments
    }

    /// The `}` that closes a template body starting at `start`, skipping quoted text and nested brackets;
    /// `nil` when there is none (an unterminated template is literal text).
    private static func closingBrace(in text: String, from start: String.Index) -> String.Index? {
        var found: String.Index? = nil
        ExpressionScanner.scan(text[start...]) { index, character, depth in
            if character == "}" && depth == 0 {
                found = index
                return false
            }
            return true
        }
        if let found { return found }
        // Unbalanced inside: the first "}" still ends the template, so a broken expression is
        // reported rather than passed through as text.
        return text[start...].firstIndex(of: "}")
    }

    static func compileExpression(_ source: String) throws(TemplateError) -> Expression {
        if let time = try TimeExpression.parse(source) { return Expression(source: source, query: nil, time: time) }
        do throws(JMESPathError) {
            return Expression(source: source, query: try JMESPathExpression.cached(source), time: nil)
        } catch {
            throw TemplateError("template ${\(source)} is not a valid expression: \(error)")
        }
    }

    private static func render(_ part: Part, _ context: JSONValue, _ budget: EvaluationBudget) throws(TemplateError) -> JSONValue {
        switch part {
        case .literal(let value):
            return value
        case .whole(let expression):
            return try expression.evaluate(context, budget: budget)
        case .text(let segments):
            var output = ""
            for segment in segments {
                let piece: String
                switch segment {
                case .text(let text): piece = text
                case .expression(let expression):
                    switch try expression.evaluate(context, budget: budget) {
                    case .null: throw TemplateError("template ${\(expression.source)} has no value (null) inside text")
                    case .string(let text): piece = text
                    case let value:
                        // Measured before it is written out: shared parts can make it far larger than it looks.
                        try charge(value, of: expression, to: budget)
                        piece = value.encodedString()
                    }
                }
                do throws(JMESPathError) {
                    try budget.charge(bytes: piece.utf8.count)
                } catch {
                    throw TemplateError("text with templates: \(error)", limitExceeded: true)
                }
                output += piece
            }
            return .string(output)
        case .array(let parts):
            var items: [JSONValue] = []
            for (index, item) in parts.enumerated() {
                do throws(TemplateError) {
                    items.append(try render(item, context, budget))
                } catch {
                    throw error.within("[\(index)]")
                }
            }
            return .array(items)
        case .object(let parts):
            var object = JSONObject()
            for (key, item) in parts {
                do throws(TemplateError) {
                    object[key] = try render(item, context, budget)
                } catch {
                    throw error.within(".\(key)")
                }
            }
            return .object(object)
        }
    }

    private static func charge(_ value: JSONValue, of expression: Expression, to budget: EvaluationBudget) throws(TemplateError) {
        let remaining = budget.limits.bytes - budget.bytes
        switch value.measure(limit: remaining, maximumDepth: budget.limits.depth) {
        case .fits: return
        case .tooLarge, .tooDeep:
            throw TemplateError("template ${\(expression.source)}: its value written as text passes the evaluation's bytes limit (\(budget.limits.bytes))",
                                limitExceeded: true)
        }
    }
}
