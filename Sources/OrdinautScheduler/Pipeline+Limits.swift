import OrdinautCore
import OrdinautJMESPath
import OrdinautPipeline

extension Pipeline {
    /// Evaluates every step's `if` and `with` against what is known when the task is written — its
    /// params, no event, no earlier results — and refuses one that passes `limits` even then: a
    /// template that can only grow (`${params | [@, @] | …}`) is refused at creation, naming the
    /// field, rather than failing every run. Other evaluation errors are left to the run, where the
    /// data they need exists.
    public func checkEvaluation(_ limits: EvaluationLimits) throws(InputError) {
        let context: JSONValue = [
            "params": .object(params), "steps": [:], "event": nil,
            "task": ["id": "", "title": "", "created_by": ""],
            "run": ["id": "", "attempt": 1, "trigger": "schedule", "started_at": "1970-01-01T00:00:00Z", "scheduled_for": nil],
            "now": "1970-01-01T00:00:00Z",
        ]
        for step in steps {
            let field = "payload.pipeline[\(step.index)]"
            let budget = EvaluationBudget(limits)
            if let condition = step.condition {
                do throws(TemplateError) {
                    _ = try condition.holds(in: context, budget: budget)
                } catch where error.limitExceeded {
                    throw InputError("\(field).if: \(error.message)", field: "\(field).if")
                } catch {}
            }
            do throws(TemplateError) {
                _ = try step.arguments.render(context, budget: budget)
            } catch where error.limitExceeded {
                throw InputError("\(field).with\(error.path): \(error.message)", field: "\(field).with\(error.path)")
            } catch {}
        }
    }
}
