/// Input that cannot be accepted, located: what is wrong, in words for the person who sent it, and
/// the field at fault (`payload.pipeline[2].with.url`), when one is.
///
/// Thrown by the code that checks input before anything is stored — task fields, schedules,
/// pipelines, agent names — so that it cannot claim a database failure, and the store cannot claim
/// invalid input. Surfaces answer it as invalid input: HTTP 422 naming the field, a tool error.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The input field at fault, in dotted form with indices (`payload.pipeline[0].id`).
    public let field: String?

    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    /// The message, then the field in parentheses, as tool errors and the CLI show it.
    public var description: String { field.map { "\(message) (field: \($0))" } ?? message }
}
