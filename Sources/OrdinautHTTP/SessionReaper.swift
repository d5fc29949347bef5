import Logging
import ServiceLifecycle

/// Expires idle HTTP sessions, and closes every session when the server shuts down.
public struct SessionReaper: Service {
    let store: HTTPSessionStore
    let idleLimit: Duration
    let logger: Logger

    public func run() async throws {
        let interval = min(Duration.seconds(30), idleLimit / 2)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                let expired = store.expire(idleLongerThan: idleLimit)
                if expired > 0 { logger.info("expired \(expired) idle MCP session(s)") }
            }
        }
        store.closeAll()
    }
}
