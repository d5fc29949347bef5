/// Why a JMESPath expression could not be compiled or evaluated. The kinds are the error types the
/// JMESPath specification names.
public struct JMESPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case syntax
        case invalidType = "invalid-type"
        case invalidValue = "invalid-value"
        case invalidArity = "invalid-arity"
        case unknownFunction = "unknown-function"
        /// Not the specification's: the evaluation passed one of its `EvaluationLimits`.
        case limitExceeded = "limit-exceeded"
    }

    public let kind: Kind
    public let message: String
    /// The character offset in the expression, for syntax errors.
    public let offset: Int?

    public init(_ kind: Kind, _ message: String, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(kind.rawValue) error at character \(offset): \(message)" }
        return "\(kind.rawValue) error: \(message)"
    }
}
