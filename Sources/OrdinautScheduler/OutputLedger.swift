import OrdinautCore

/// What a run has stored so far against its caps: one step's result may not pass
/// `RunLimits.stepOutputBytes`, and everything the run records — each step's rendered input and
/// result — may not pass `RunLimits.runOutputBytes`. A result over a cap fails its step and is not
/// stored; the step's record says why.
struct OutputLedger {
    let stepLimit: Int
    let runLimit: Int
    private(set) var used = 0

    /// Deeper values could not be read back once stored inside a run's record.
    static let maximumDepth = 100

    init(limits: RunLimits) {
        stepLimit = limits.stepOutputBytes
        runLimit = limits.runOutputBytes
    }

    /// Counts a step's rendered arguments; the problem when they do not fit in the run.
    mutating func admit(input: JSONValue) -> String? {
        switch input.measure(limit: runLimit - used, maximumDepth: Self.maximumDepth) {
        case .fits(let bytes):
            used += bytes
            return nil
        case .tooLarge: return "its arguments would take the run's record past \(runLimit) bytes (ORDINAUT_MAX_RUN_OUTPUT_BYTES)"
        case .tooDeep: return "its arguments nest deeper than \(Self.maximumDepth) levels"
        }
    }

    /// Counts a step's result; the problem when it is over a cap.
    mutating func admit(output: JSONValue) -> String? {
        let room = runLimit - used
        switch output.measure(limit: min(stepLimit, room), maximumDepth: Self.maximumDepth) {
        case .fits(let bytes):
            used += bytes
            return nil
        case .tooLarge where room < stepLimit && output.measure(limit: stepLimit, maximumDepth: Self.maximumDepth) != .tooLarge:
            return "its result would take the run's record past \(runLimit) bytes (ORDINAUT_MAX_RUN_OUTPUT_BYTES); it was not stored"
        case .tooLarge: return "its result is larger than \(stepLimit) bytes (ORDINAUT_MAX_STEP_OUTPUT_BYTES); it was not stored"
        case .tooDeep: return "its result nests deeper than \(Self.maximumDepth) levels; it was not stored"
        }
    }

    /// Counts a record kept from before the run was parked, whatever its size.
    mutating func carry(_ record: JSONValue) {
        if case .fits(let bytes) = record.measure(limit: runLimit, maximumDepth: Self.maximumDepth) { used += bytes } else { used = runLimit }
    }
}
