import Logging
import OrdinautCore
import OrdinautStore
import ServiceLifecycle

/// Writes refused credentials to the audit log (`auth.failed`) off the request path: the access
/// layer hands them over (already limited to a few a second per address) and never waits; when the
/// queue is full, the newest are kept.
final class RefusalAuditor: Service {
    struct Refusal: Sendable {
        let reason: String
        let address: String?
        let path: String
    }

    private let audit: AuditLog
    private let logger: Logger
    private let stream: AsyncStream<Refusal>
    private let continuation: AsyncStream<Refusal>.Continuation

    init(audit: AuditLog, logger: Logger) {
        self.audit = audit
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Refusal.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// Queues one refusal; returns at once.
    func record(_ refusal: Refusal) {
        continuation.yield(refusal)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await refusal in stream {
                do throws(StoreError) {
                    try await audit.record(actor: refusal.address.map { "anonymous@\($0)" } ?? "anonymous", action: "auth.failed",
                                           details: ["reason": .string(refusal.reason), "path": .string(refusal.path)])
                } catch {
                    logger.warning("a refused credential could not be audited", metadata: ["reason": .string(error.message)])
                }
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }
}
