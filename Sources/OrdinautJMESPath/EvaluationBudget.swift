import OrdinautCore

/// How much one evaluation may do: how many items its loops may visit, how many bytes of values it
/// may build, and how deeply those values may nest. Pipelines evaluate untrusted expressions against
/// untrusted data, and an expression like `[@, @]` repeated doubles its input each time, so every
/// evaluation runs under limits like these.
public struct EvaluationLimits: Sendable, Equatable {
    /// Items visited by projections, filters and functions, plus function calls.
    public var steps: Int
    /// Bytes of JSON built, counted as each new value is made (a value built from shared parts
    /// counts every part, as encoding it would write it).
    public var bytes: Int
    /// Nesting of arrays and objects in any value built.
    public var depth: Int

    public init(steps: Int = 1_000_000, bytes: Int = 8 << 20, depth: Int = 64) {
        self.steps = steps
        self.bytes = bytes
        self.depth = depth
    }

    public static let standard = EvaluationLimits()
}

/// The running account of one evaluation against its `EvaluationLimits`, shared by every expression
/// evaluated for one purpose (all the templates of a step's arguments, say). It also carries an
/// optional deadline, checked every few thousand steps.
public final class EvaluationBudget {
    public let limits: EvaluationLimits
    private let deadline: ContinuousClock.Instant?
    public private(set) var steps = 0
    public private(set) var bytes = 0

    public init(_ limits: EvaluationLimits = .standard, deadline: ContinuousClock.Instant? = nil) {
        self.limits = limits
        self.deadline = deadline
    }

    /// Counts `count` steps of work.
    @inline(__always)
    func step(_ count: Int = 1) throws(JMESPathError) {
        steps += count
        if steps > limits.steps {
            throw JMESPathError(.limitExceeded, "the evaluation took more than \(limits.steps) steps (the steps limit)")
        }
        if let deadline, steps & 0xFFF < count, ContinuousClock.now > deadline {
            throw JMESPathError(.limitExceeded, "the evaluation ran past its deadline")
        }
    }

    /// Counts a newly built value against the byte and depth limits and returns it.
    func built(_ value: JSONValue) throws(JMESPathError) -> JSONValue {
        switch value {
        case .null, .bool, .integer, .number: return value
        default: break
        }
        switch value.measure(limit: limits.bytes - bytes, maximumDepth: limits.depth) {
        case .fits(let size):
            bytes += size
            return value
        case .tooLarge:
            bytes = limits.bytes + 1
            throw JMESPathError(.limitExceeded, "the evaluation built more than \(limits.bytes) bytes of values (the bytes limit)")
        case .tooDeep:
            throw JMESPathError(.limitExceeded, "the evaluation built a value nested deeper than \(limits.depth) levels (the depth limit)")
        }
    }

    /// Counts `count` bytes of text built outside an expression (a template's text).
    public func charge(bytes count: Int) throws(JMESPathError) {
        bytes += count
        if bytes > limits.bytes {
            throw JMESPathError(.limitExceeded, "the evaluation built more than \(limits.bytes) bytes of values (the bytes limit)")
        }
    }
}
