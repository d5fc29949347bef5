import OrdinautCore
import OrdinautStore

/// Why an agent or token operation was refused or failed, whichever surface asked. Surfaces map
/// `kind` to their own codes (HTTP status, tool error, exit status), never the message.
public struct AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input is invalid (HTTP 400/422); `field` names what to fix.
        case invalid
        /// No such agent or token (HTTP 404).
        case notFound
        /// The request conflicts with what is stored: a name in use, a disabled agent (HTTP 409).
        case conflict
        /// The database cannot be reached or failed; retry later (HTTP 503).
        case unavailable
    }

    public let kind: Kind
    public let message: String
    /// The input field at fault, when one is.
    public let field: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    /// The input's refusal, in the same words.
    public init(_ error: InputError) {
        self.init(.invalid, error.message, field: error.field)
    }

    /// The store's refusal, in the same words; a database failure says that it is one.
    public init(_ error: StoreError) {
        switch error.kind {
        case .notFound: self.init(.notFound, error.message, field: error.field)
        case .conflict: self.init(.conflict, error.message, field: error.field)
        case .unavailable: self.init(.unavailable, "the database is unavailable, try again later: \(error.message)")
        }
    }

    public var description: String { field.map { "\(message) (field: \($0))" } ?? message }
}
