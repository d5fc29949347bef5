/// Why a template cannot be compiled or rendered; the message names the expression.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
