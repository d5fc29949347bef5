import OrdinautCore
import OrdinautStore
import OrdinautTracing
import Tracing

/// What the `ordinaut.run` and `ordinaut.step` spans record. Ids are attributes, never span names,
/// so that names stay few.
enum RunSpans {
    static func start(_ span: any Span, task: TaskRecord, run: RunRecord) {
        span.updateAttributes { attributes in
            attributes["ordinaut.task.id"] = task.id
            attributes["ordinaut.run.id"] = run.id
            attributes["ordinaut.run.attempt"] = run.attempt
            attributes["ordinaut.run.trigger"] = run.trigger.rawValue
        }
        // A run starts a trace of its own (a cron task's runs would otherwise share one trace for
        // months); the link leads back to the request that created the task.
        if let created = Spans.remote(traceparent: task.traceParent) {
            span.addLink(SpanLink(context: created, attributes: ["ordinaut.link.reason": "task.created"]))
        }
    }

    static func finish(_ span: any Span, _ result: PipelineExecutor.Result) {
        span.attributes["ordinaut.run.outcome"] = outcome(result)
        if case .failed(let error, _, let permanent) = result {
            span.attributes["ordinaut.run.permanent"] = permanent
            span.setStatus(SpanStatus(code: .error, message: error))
        }
    }

    static func outcome(_ result: PipelineExecutor.Result) -> String {
        switch result {
        case .succeeded: return "succeeded"
        case .waiting: return "waiting"
        case .failed: return "failed"
        }
    }

    static func start(_ span: any Span, step: Pipeline.Step) {
        span.updateAttributes { attributes in
            attributes["ordinaut.step.id"] = step.id
            attributes["gen_ai.tool.name"] = step.uses
        }
    }

    static func finish(_ span: any Span, _ outcome: StepOutcome, attempts: Int) {
        span.attributes["ordinaut.step.attempts"] = attempts
        if case .failure(let message, _) = outcome {
            span.setStatus(SpanStatus(code: .error, message: message))
        }
    }
}
