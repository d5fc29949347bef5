import OrdinautCore

/// One reason an instance does not satisfy a schema.
public struct SchemaValidationError: Sendable, Equatable, CustomStringConvertible {
    /// The keyword that failed (`required`, `type`, `maximum`, …).
    public let keyword: String
    /// Where that keyword sits in the schema (`#/properties/age/minimum`).
    public let keywordLocation: String
    /// Where the offending value sits in the instance.
    public let instanceLocation: JSONPointer
    /// What is wrong, for a person or a model to act on.
    public let message: String

    public var description: String {
        let at = instanceLocation.tokens.isEmpty ? "(root)" : instanceLocation.description
        return "\(at): \(message) [\(keywordLocation)]"
    }
}
