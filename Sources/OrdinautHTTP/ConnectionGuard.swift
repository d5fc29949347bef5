import HummingbirdCore
import Logging
import NIOCore

/// The connection limits of one HTTP server: wraps its child channel (`wrap(_:)`) and watches its
/// accept loop (`install(on:)`, from the application's `onServerRunning`).
public struct ConnectionGuard: Sendable {
    public let limits: ConnectionLimits
    private let budget: SharedConnectionBudget
    private let logger: Logger

    /// Up to this many served connections, a new one is served on its event loop (see
    /// `GuardedServerChannel`); one event loop a core by default.
    private let servedOnTheirLoop: Int

    public init(limits: ConnectionLimits, logger: Logger, servedOnTheirLoop: Int = System.coreCount) {
        self.limits = limits
        self.budget = SharedConnectionBudget(ConnectionBudget(maxConnections: limits.maxConnections))
        self.logger = logger
        self.servedOnTheirLoop = servedOnTheirLoop
    }

    public func wrap<Base: ServerChildChannel>(_ base: Base) -> GuardedServerChannel<Base> {
        GuardedServerChannel(base: base, limits: limits, budget: budget, servedOnTheirLoop: servedOnTheirLoop, logger: logger)
    }

    /// Puts the accept gate first in the listening channel's pipeline.
    public func install(on serverChannel: any Channel) async throws {
        let budget = self.budget
        let logger = self.logger
        try await serverChannel.eventLoop.submit {
            try serverChannel.pipeline.syncOperations.addHandler(AcceptGate(budget: budget, logger: logger), position: .first)
        }.get()
    }
}
