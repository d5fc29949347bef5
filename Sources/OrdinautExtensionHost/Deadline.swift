import OrdinautCore
import Synchronization

/// Runs `operation` for at most `limit`. On time-out the operation is cancelled and abandoned — the
/// caller does not wait for an operation that ignores cancellation — and `phase` fails.
func withDeadline<T: Sendable>(_ limit: Duration, phase: String, _ operation: @escaping @Sendable () async throws -> T) async throws(ActivationFailure) -> T {
    let result: Result<T, ActivationFailure> = await withCheckedContinuation { continuation in
        let settled = Mutex(false)
        let resume: @Sendable (Result<T, ActivationFailure>) -> Bool = { result in
            let first = settled.withLock { done in
                defer { done = true }
                return !done
            }
            if first { continuation.resume(returning: result) }
            return first
        }
        let work = Task {
            do {
                _ = resume(.success(try await operation()))
            } catch let failure as ActivationFailure {
                _ = resume(.failure(failure))
            } catch {
                _ = resume(.failure(ActivationFailure(phase: phase, message: "\(error)")))
            }
        }
        Task {
            try? await Task.sleep(for: limit)
            let seconds = limit.seconds
            if resume(.failure(ActivationFailure(phase: phase, message: "did not finish within \(seconds) s"))) { work.cancel() }
        }
    }
    return try result.get()
}
