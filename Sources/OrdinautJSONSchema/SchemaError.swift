/// A schema that cannot be compiled: malformed keywords or references that do not resolve.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    /// Where in the schema the problem is (`#/properties/a/minimum`).
    public let location: String
    /// What is wrong, written for the schema's author.
    public let message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "invalid schema at \(location): \(message)" }
}
