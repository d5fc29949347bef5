import OrdinautCore
import OrdinautStore

/// Why a task operation was refused or failed, whichever surface asked: the input (located, from
/// the checks that run before anything is stored) or the store (not found, a conflicting state, the
/// database unavailable). Surfaces map the case to their own codes — HTTP status, tool error,
/// JSON-RPC error — never the message.
public enum TaskServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(InputError)
    case store(StoreError)

    /// Invalid input: `message` says what is wrong with `field`.
    public static func invalid(_ message: String, field: String?) -> TaskServiceError {
        .invalid(InputError(message, field: field))
    }

    public var message: String {
        switch self {
        case .invalid(let error): return error.message
        case .store(let error): return error.message
        }
    }

    /// The input field at fault, when one is.
    public var field: String? {
        switch self {
        case .invalid(let error): return error.field
        case .store(let error): return error.field
        }
    }

    /// What tool errors show: invalid input's message, then its field in parentheses; the store's message.
    public var description: String {
        switch self {
        case .invalid(let error): return error.description
        case .store(let error): return error.description
        }
    }

    /// Runs the checks in `body`, their refusal as `.invalid`.
    public static func checking<T>(_ body: () throws(InputError) -> T) throws(TaskServiceError) -> T {
        do throws(InputError) {
            return try body()
        } catch {
            throw .invalid(error)
        }
    }

    /// Runs the store work in `body`, its failures as `.store`.
    public static func storing<T>(_ body: () async throws(StoreError) -> T) async throws(TaskServiceError) -> T {
        do throws(StoreError) {
            return try await body()
        } catch {
            throw .store(error)
        }
    }
}
