/// A tracing setting that cannot be used, with what to change.
public struct TracingConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
