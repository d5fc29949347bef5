import Synchronization
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautJMESPath
import OrdinautMCP
import OrdinautPipeline
import OrdinautStore
import OrdinautTracing

/// Runs a task's pipeline for one run: each step's `if`, arguments rendered from the run context,
/// the tool call with its timeout and step retries, and a record of what happened. A step's `if`
/// and arguments are evaluated under `RunLimits.evaluation` and the step's deadline; its input and
/// result are stored within the run's output caps.
public struct PipelineExecutor: Sendable {
    public enum Result: Sendable {
        case succeeded(output: JSONValue)
        case failed(error: String, output: JSONValue, permanent: Bool)
        /// Parked at an approval step.
        case waiting(step: String, prompt: String, output: JSONValue)
    }

    let tools: ToolCaller
    let deadlines: Deadlines
    let limits: RunLimits
    let observer: (any SchedulerObserver)?
    /// Told each step's end (`step.finished`).
    let changes: ChangeFeed?
    let clock: @Sendable () -> Int64

    public init(tools: ToolCaller, deadlines: Deadlines, limits: RunLimits = RunLimits(), observer: (any SchedulerObserver)? = nil,
                changes: ChangeFeed? = nil, clock: @escaping @Sendable () -> Int64) {
        self.tools = tools
        self.deadlines = deadlines
        self.limits = limits
        self.observer = observer
        self.changes = changes
        self.clock = clock
    }

    /// Executes `task`'s pipeline for `run`. A run resumed after an approval (`resume`) keeps the
    /// steps it already ran and continues after the approval step.
    public func execute(task: TaskRecord, run: RunRecord, resume: JSONValue?) async -> Result {
        let pipeline: Pipeline
        do throws(InputError) {
            pipeline = try Pipeline(payload: task.payload, registry: tools.server.tools)
        } catch {
            return .failed(error: "the task's pipeline is no longer valid: \(error.message)", output: ["steps": []], permanent: true)
        }
        var records: [JSONValue] = []
        var results: JSONObject = [:]
        var ledger = OutputLedger(limits: limits)
        var startIndex = 0
        if let resume, let stepID = resume["step"]?.stringValue {
            for record in run.output["steps"]?.arrayValue ?? [] {
                guard let id = record["id"]?.stringValue else { continue }
                if id == stepID { break }
                records.append(record)
                ledger.carry(record)
                if record["status"] == "succeeded", let output = record["output"] {
                    results[id] = output
                    if let saveAs = record["save_as"]?.stringValue { results[saveAs] = output }
                }
            }
            guard let index = pipeline.steps.firstIndex(where: { $0.id == stepID }) else {
                return .failed(error: "the approval step \(stepID) is no longer in the pipeline", output: ["steps": .array(records)], permanent: true)
            }
            let decision: JSONValue = ["approved": resume["approved"] ?? false, "by": resume["by"] ?? .null, "comment": resume["comment"] ?? .null]
            records.append(["id": .string(stepID), "uses": .string(Pipeline.approvalTool), "status": "succeeded", "output": decision])
            results[stepID] = decision
            if let saveAs = pipeline.steps[index].saveAs { results[saveAs] = decision }
            startIndex = index + 1
        }
        var last: JSONValue = results.isEmpty ? .null : (records.last?["output"] ?? .null)
        for step in pipeline.steps[startIndex...] {
            let context = self.context(task: task, run: run, params: pipeline.params, steps: results)
            let began = clock()
            var record: JSONObject = ["id": .string(step.id), "uses": .string(step.uses)]
            if let saveAs = step.saveAs { record["save_as"] = .string(saveAs) }
            record["started_at"] = .string(isoTime(began))
            let budget = EvaluationBudget(limits.evaluation, deadline: .now + .milliseconds(Int64(step.timeoutSeconds * 1000)))
            if let condition = step.condition {
                do throws(TemplateError) {
                    if try !condition.holds(in: context, budget: budget) {
                        record["status"] = "skipped"
                        records.append(.object(record))
                        report(record, "skipped", began: began, run: run)
                        continue
                    }
                } catch {
                    return fail(&records, record, run: run, "step \(step.id): if: \(error.message)", began: began, permanent: true)
                }
            }
            let arguments: JSONValue
            do throws(TemplateError) {
                arguments = try step.arguments.render(context, budget: budget)
            } catch {
                return fail(&records, record, run: run, "step \(step.id): with\(error.path): \(error.message)", began: began, permanent: true)
            }
            if let problem = ledger.admit(input: arguments) {
                return fail(&records, record, run: run, "step \(step.id): \(problem)", began: began, permanent: true)
            }
            record["input"] = arguments
            if step.isApproval {
                let prompt = arguments["prompt"]?.stringValue ?? "Approve step \(step.id) of \(task.title)?"
                record["status"] = "waiting"
                records.append(.object(record))
                return .waiting(step: step.id, prompt: prompt, output: ["steps": .array(records)])
            }
            let (outcome, attempt) = await attempts(step, arguments: arguments, task: task, run: run)
            record["attempts"] = .integer(Int64(attempt))
            switch outcome {
            case .success(let value):
                if let problem = ledger.admit(output: value) {
                    return fail(&records, record, run: run, "step \(step.id): \(problem)", began: began, permanent: true)
                }
                record["status"] = "succeeded"
                record["output"] = value
                record["duration_ms"] = .integer(clock() - began)
                records.append(.object(record))
                report(record, "succeeded", began: began, run: run)
                results[step.id] = value
                if let saveAs = step.saveAs { results[saveAs] = value }
                last = value
            case .failure(let message, let permanent):
                return fail(&records, record, run: run, "step \(step.id): \(message)", began: began, permanent: permanent)
            }
        }
        return .succeeded(output: ["steps": .array(records), "result": last])
    }

    /// Calls the step's tool until it succeeds, fails for good, or has used its retries; one span
    /// covers the attempts.
    private func attempts(_ step: Pipeline.Step, arguments: JSONValue, task: TaskRecord, run: RunRecord) async -> (StepOutcome, Int) {
        await Spans.run("ordinaut.step") { span in
            if let span { RunSpans.start(span, step: step) }
            var attempt = 0
            var outcome: StepOutcome
            repeat {
                attempt += 1
                outcome = await call(step, arguments: arguments, task: task, run: run)
                if case .failure(_, let permanent) = outcome, permanent { break }
                if Task.isCancelled { break }
            } while attempt <= step.retries && { if case .failure = outcome { return true } else { return false } }()
            if let span { RunSpans.finish(span, outcome, attempts: attempt) }
            return (outcome, attempt)
        }
    }

    private func report(_ step: JSONObject, _ outcome: String, began: Int64, run: RunRecord) {
        let tool = step["uses"]?.stringValue ?? ""
        observer?.stepFinished(tool: tool, outcome: outcome, duration: .milliseconds(clock() - began))
        changes?.publish("step.finished", [
            "run_id": .string(run.id), "task_id": .string(run.taskId), "step_id": step["id"] ?? .null, "uses": .string(tool),
            "status": .string(outcome),
        ])
    }

    private func fail(_ records: inout [JSONValue], _ record: JSONObject, run: RunRecord, _ message: String, began: Int64, permanent: Bool) -> Result {
        report(record, "failed", began: began, run: run)
        var record = record
        record["status"] = "failed"
        record["error"] = .string(message)
        record["duration_ms"] = .integer(clock() - began)
        records.append(.object(record))
        return .failed(error: message, output: ["steps": .array(records)], permanent: permanent)
    }

    private func call(_ step: Pipeline.Step, arguments: JSONValue, task: TaskRecord, run: RunRecord) async -> StepOutcome {
        let meta: JSONObject = [
            "io.ordinaut/run": [
                "run_id": .string(run.id), "task_id": .string(task.id), "attempt": .integer(Int64(run.attempt)), "step": .string(step.id),
            ],
            "io.ordinaut/idempotency-key": .string("\(run.id):\(step.id)"),
            // Events the step publishes carry it, so event tasks cannot trigger each other without end.
            Causation.metaKey: Causation(runId: run.id, taskId: task.id, trigger: Causation(json: run.context["event"]?["causation"])).json,
        ]
        guard let arguments = arguments.objectValue else {
            return .failure("the arguments of \(step.uses) are \(arguments.typeName), not an object", permanent: true)
        }
        let tools = self.tools
        let call = Task { StepOutcome(await tools.call(step.uses, arguments: arguments, as: task.runPrincipal, meta: meta), tool: step.uses) }
        let timedOut = TimeoutFlag()
        let deadline = deadlines.add(.now + .milliseconds(Int64(step.timeoutSeconds * 1000))) {
            timedOut.set()
            call.cancel()
        }
        let outcome = await withTaskCancellationHandler { await call.value } onCancel: { call.cancel() }
        deadlines.cancel(deadline)
        if timedOut.isSet { return .failure("\(step.uses) did not answer within \(step.timeoutSeconds) s", permanent: false) }
        return outcome
    }

    func context(task: TaskRecord, run: RunRecord, params: JSONObject, steps: JSONObject) -> JSONValue {
        [
            "params": .object(params), "steps": .object(steps), "event": run.context["event"] ?? .null,
            "task": ["id": .string(task.id), "title": .string(task.title), "created_by": .string(task.createdBy)],
            "run": [
                "id": .string(run.id), "attempt": .integer(Int64(run.attempt)), "trigger": .string(run.trigger.rawValue),
                "started_at": isoTime(run.startedAt), "scheduled_for": run.context["scheduled_for"].flatMap { $0.integerValue }.map { .string(isoTime($0)) } ?? .null,
            ],
            "now": .string(isoTime(clock())),
        ]
    }
}

/// Set by the deadline ticker when a step's time ran out.
final class TimeoutFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
