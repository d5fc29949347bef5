import OrdinautJMESPath

/// Why a template cannot be compiled or rendered; the message names the expression, and `path`
/// names where in the rendered value it sits (`.text`, `.items[2]`; empty at the root).
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let path: String
    /// The evaluation passed one of its `EvaluationLimits`: the same input fails the same way again.
    public let limitExceeded: Bool

    public init(_ message: String, path: String = "", limitExceeded: Bool = false) {
        self.message = message
        self.path = path
        self.limitExceeded = limitExceeded
    }

    /// An error from evaluating the template `${source}`.
    init(source: String, _ error: JMESPathError) {
        self.init("template ${\(source)}: \(error)", limitExceeded: error.kind == .limitExceeded)
    }

    /// The same error, one level further in: under `component` (`.key` or `[index]`).
    func within(_ component: String) -> TemplateError {
        TemplateError(message, path: component + path, limitExceeded: limitExceeded)
    }

    public var description: String { path.isEmpty ? message : "\(path.dropFirst(path.hasPrefix(".") ? 1 : 0)): \(message)" }
}
