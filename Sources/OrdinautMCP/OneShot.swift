import Synchronization

/// A value delivered once, awaited by at most one waiter; it may arrive before anyone waits.
/// Used for the answers to server-to-client requests and for the end of an HTTP stream.
public final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Value?, Never>)
        case done(Value?)
    }

    private let state = Mutex(State.idle)

    public init() {}


    /// Delivers `value`; later deliveries are ignored.
    public func fulfil(_ value: Value?) {
        let continuation: CheckedContinuation<Value?, Never>? = state.withLock { state in
            switch state {
            case .idle:
                state = .done(value)
                return nil
            case .waiting(let continuation):
                state = .done(value)
                return continuation
            case .done:
                return nil
            }
        }
        continuation?.resume(returning: value)
    }

    /// The delivered value, or `nil` if the waiting task is cancelled first.
    public func value() async -> Value? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let ready: Value?? = state.withLock { state in
                    switch state {
                    case .idle:
                        state = .waiting(continuation)
                        return .none
                    case .done(let value):
                        return .some(value)
                    case .waiting:
                        return .some(nil)
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            fulfil(nil)
        }
    }
}

extension OneShot where Value == Void {
    /// Delivers the signal.
    public func fire() { fulfil(()) }
}
