import OrdinautCore
import OrdinautJMESPath

/// A pipeline step's `if`: a JMESPath expression (bare, or as one `${…}` template) compiled before
/// the run starts, so a condition that does not parse fails validation rather than the step.
///
/// A step runs when the condition is truthy. Falsy values are JMESPath's — `null`, `false`, `""`,
/// `[]`, `{}` — and also the number `0`: "zero items to process" should skip a step, which is what
/// pipeline authors expect (JMESPath's own truthiness would treat 0 as true).
public struct StepCondition: Sendable {
    public let source: String
    private let expression: Template.Expression

    public init(_ source: String) throws(TemplateError) {
        self.source = source
        var body = Substring(source).trimmingCharacters()
        if body.hasPrefix("${") && body.hasSuffix("}") { body = body.dropFirst(2).dropLast().trimmingCharacters() }
        guard !body.isEmpty else { throw TemplateError("an empty condition") }
        expression = try Template.compileExpression(String(body))
    }

    /// Whether the step should run; the evaluation counts against `budget`.
    public func holds(in context: JSONValue, budget: EvaluationBudget = EvaluationBudget()) throws(TemplateError) -> Bool {
        Self.isTruthy(try expression.evaluate(context, budget: budget))
    }

    public static func isTruthy(_ value: JSONValue) -> Bool {
        if let number = value.doubleValue { return number != 0 }
        return JMESPathExpression.isTruthy(value)
    }
}
