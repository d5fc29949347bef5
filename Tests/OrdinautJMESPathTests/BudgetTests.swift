import OrdinautCore
import OrdinautJMESPath
import Testing

@Suite("Evaluation budgets")
struct BudgetTests {
    /// `${params | [@, @] | [@, @] …}`: each level doubles what the next one sees.
    static func doubling(_ levels: Int) -> String {
        "@" + String(repeating: " | [@, @]", count: levels)
    }

    @Test func anExpressionThatDoublesItsInputStopsAtTheByteLimit() throws {
        let expression = try JMESPathExpression(Self.doubling(40))
        let budget = EvaluationBudget(EvaluationLimits(bytes: 1 << 20, depth: 100))
        #expect {
            try expression.search(["a": "some text"], budget: budget)
        } throws: { error in
            (error as? JMESPathError)?.kind == .limitExceeded && "\(error)".contains("bytes limit")
        }
        #expect(budget.bytes > 1 << 20)
    }

    @Test func doublingIsAlsoBoundedByDepth() throws {
        let expression = try JMESPathExpression(Self.doubling(40))
        #expect {
            try expression.search("x", budget: EvaluationBudget(EvaluationLimits(depth: 16)))
        } throws: { "\($0)".contains("depth limit") }
    }

    @Test func projectionsCountTheirItemsAsSteps() throws {
        let items = JSONValue.array((0..<1000).map { JSONValue.integer(Int64($0)) })
        let expression = try JMESPathExpression("[*].[@][*][*]")
        #expect {
            try expression.search(items, budget: EvaluationBudget(EvaluationLimits(steps: 1500)))
        } throws: { "\($0)".contains("steps limit") }
        #expect(throws: Never.self) { try expression.search(items, budget: EvaluationBudget()) }
    }

    @Test func joinIsChargedBeforeItBuildsItsText() throws {
        let expression = try JMESPathExpression("join(glue, parts)")
        let data: JSONValue = ["glue": .string(String(repeating: "g", count: 10_000)), "parts": .array(Array(repeating: "p", count: 1000))]
        #expect {
            try expression.search(data, budget: EvaluationBudget(EvaluationLimits(bytes: 1 << 20)))
        } throws: { "\($0)".contains("bytes limit") }
    }

    @Test func toStringOfASharedValueIsMeasuredFirst() throws {
        let expression = try JMESPathExpression("to_string(\(Self.doubling(30)))")
        #expect {
            try expression.search("x", budget: EvaluationBudget(EvaluationLimits(depth: 100)))
        } throws: { ($0 as? JMESPathError)?.kind == .limitExceeded }
    }

    @Test func aDeadlineStopsALongEvaluation() throws {
        let items = JSONValue.array((0..<100_000).map { JSONValue.integer(Int64($0)) })
        let expression = try JMESPathExpression("[*].[@, @][][]")
        let budget = EvaluationBudget(EvaluationLimits(steps: .max, bytes: .max), deadline: .now - .seconds(1))
        #expect { try expression.search(items, budget: budget) } throws: { "\($0)".contains("deadline") }
    }

    @Test func ordinaryExpressionsFitTheStandardLimits() throws {
        let data: JSONValue = ["orders": .array((0..<500).map { ["id": .integer(Int64($0)), "total": .number(Double($0) * 1.5), "tags": ["a", "b"]] })]
        let expression = try JMESPathExpression("orders[?total > `100`].{id: id, tags: join(',', tags)} | sort_by(@, &id) | [:10]")
        let result = try expression.search(data, budget: EvaluationBudget())
        #expect(result.arrayValue?.count == 10)
    }

    @Test func theCacheKeepsFewAndSmallExpressions() throws {
        for index in 0..<5000 { _ = try JMESPathExpression.cached("a.b\(index)") }
        let long = "a" + String(repeating: " || a", count: 2000)
        _ = try JMESPathExpression.cached(long)
        let usage = JMESPathExpression.cacheUsage
        #expect(usage.entries <= 4096)
        #expect(usage.bytes <= 4 << 20)
    }
}
