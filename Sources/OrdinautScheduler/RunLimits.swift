import OrdinautAuth
import OrdinautJMESPath

/// What one run may evaluate and store, and how far event tasks may trigger one another
/// (`ORDINAUT_EVAL_*`, `ORDINAUT_MAX_*_OUTPUT_BYTES`, `ORDINAUT_EVENT_*`; defaults in the README).
public struct RunLimits: Sendable, Equatable {
    /// Templates and `if` conditions; one budget covers a step's `if` and arguments together.
    public var evaluation = EvaluationLimits.standard

    /// A condition schedule's test of one event: a tenth of the steps and an eighth of the bytes
    /// of `evaluation`. Every published event runs every matching condition, so a condition that
    /// only grows must cost little each time; a test yields a truth value and needs little room.
    public var conditionEvaluation: EvaluationLimits {
        EvaluationLimits(steps: max(1000, evaluation.steps / 10), bytes: max(1024, evaluation.bytes / 8), depth: evaluation.depth)
    }
    /// Largest result one step may store; a larger one fails the step.
    public var stepOutputBytes = 1 << 20
    /// Largest record one run may store (every step's input and output); past it the run fails.
    public var runOutputBytes = 8 << 20
    /// How many events deep a chain of event tasks may go: an event published by a run that an
    /// event started is one deeper than that event, and does not start tasks past this depth.
    public var eventDepth = 8
    /// Runs one event or condition task may start from events, per second sustained and in a
    /// burst, on each node; `nil` for no limit.
    public var eventRuns: TokenBucket.Limit? = TokenBucket.Limit(rate: 1, burst: 30)

    public init() {}
}
