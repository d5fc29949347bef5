import OrdinautCore

/// A JSON-RPC request id. The string `"1"` and the number `1` are different ids and stay different.
public enum RequestID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(Int64)

    /// The id as it travels on the wire.
    public var json: JSONValue {
        switch self {
        case .string(let value): return .string(value)
        case .number(let value): return .integer(value)
        }
    }

    /// The id carried by `value`, if it is a valid request id (a string or an integer).
    public init?(_ value: JSONValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .integer(let number): self = .number(number)
        case .number(let number):
            guard let exact = Int64(exactly: number) else { return nil }
            self = .number(exact)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .string(let value): return "\"\(value)\""
        case .number(let value): return String(value)
        }
    }
}
