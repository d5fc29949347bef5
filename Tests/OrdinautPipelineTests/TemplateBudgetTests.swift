import OrdinautCore
import OrdinautJMESPath
import OrdinautPipeline
import Testing

@Suite("Templates under evaluation limits")
struct TemplateBudgetTests {
    static let growing = "${params" + String(repeating: " | [@, @]", count: 40) + "}"

    @Test func aGrowingTemplateFailsNamingWhereItSitsAndTheLimit() throws {
        let template = try Template(["outer": ["list": ["fine", .string(Self.growing)]]])
        #expect {
            try template.render(["params": ["a": 1]], budget: EvaluationBudget(EvaluationLimits(bytes: 1 << 20, depth: 100)))
        } throws: { error in
            guard let error = error as? TemplateError else { return false }
            return error.limitExceeded && error.path == ".outer.list[1]" && error.message.contains("bytes limit")
                && error.message.contains("template ${params | [@, @]")
        }
    }

    @Test func textBuiltFromTemplatesCountsAgainstTheBytes() throws {
        let template = try Template(.string(String(repeating: "${params.text}", count: 200)))
        let text = String(repeating: "t", count: 10_000)
        #expect {
            try template.render(["params": ["text": .string(text)]], budget: EvaluationBudget(EvaluationLimits(bytes: 1 << 20)))
        } throws: { ($0 as? TemplateError)?.limitExceeded == true }
        let fits = try template.render(["params": ["text": "ok"]], budget: EvaluationBudget())
        #expect(fits.stringValue?.count == 400)
    }

    @Test func aSharedValueInsideTextIsMeasuredBeforeItIsWritten() throws {
        let template = try Template(.string("value: ${params" + String(repeating: " | [@, @]", count: 28) + "}"))
        #expect {
            try template.render(["params": "x"], budget: EvaluationBudget(EvaluationLimits(depth: 100)))
        } throws: { ($0 as? TemplateError)?.limitExceeded == true }
    }

    @Test func oneBudgetCoversEveryTemplateOfARender() throws {
        let template = try Template(.object(JSONObject((0..<20).map { ("k\($0)", JSONValue.string("${params.big}")) })))
        let big = JSONValue.array(Array(repeating: .string(String(repeating: "b", count: 100)), count: 100))
        // Each copy alone is ~10 KB and is shared, not built: the limit applies to what is built.
        #expect(throws: Never.self) {
            try template.render(["params": ["big": big]], budget: EvaluationBudget(EvaluationLimits(bytes: 50_000)))
        }
        let building = try Template(.object(JSONObject((0..<20).map { ("k\($0)", JSONValue.string("${params.big[*]}")) })))
        #expect {
            try building.render(["params": ["big": big]], budget: EvaluationBudget(EvaluationLimits(bytes: 50_000)))
        } throws: { ($0 as? TemplateError)?.limitExceeded == true }
    }

    @Test func otherErrorsAreNotLimitErrors() throws {
        let template = try Template("${abs('text')}")
        #expect { try template.render([:]) } throws: { ($0 as? TemplateError)?.limitExceeded == false }
    }
}
