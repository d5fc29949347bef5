/// An extension's metric was refused: an invalid name, a kind or label change, or a limit.
public struct MetricsError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
