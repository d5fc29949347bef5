import Foundation

/// What every role of the store shares: the database (and with it the SQL dialect), the doorbell
/// idle workers wait on, and the clock.
public struct StoreCore: Sendable {
    public let database: any SQLDatabase
    /// Rung when this process adds due work, and (PostgreSQL) when any process does.
    public let doorbell: Doorbell
    /// Milliseconds since 1970.
    public let clock: @Sendable () -> Int64

    public init(database: any SQLDatabase, doorbell: Doorbell, clock: @escaping @Sendable () -> Int64) {
        self.database = database
        self.doorbell = doorbell
        self.clock = clock
    }

    public static let systemClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// A role of the store (tasks, the work queue, leadership, approvals, MCP tasks, the audit log):
/// its own statements over the shared core.
protocol StoreRole: Sendable {
    var core: StoreCore { get }
}

extension StoreRole {
    var database: any SQLDatabase { core.database }
    var doorbell: Doorbell { core.doorbell }
    var clock: @Sendable () -> Int64 { core.clock }
}
