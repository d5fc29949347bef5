import Foundation

/// The figures of `GET /stats`, each read through an index (see `ListingPlansTests`).
public struct Overview: Sendable, Equatable {
    /// Due items whose time came and that no worker holds, and when the oldest of them became due
    /// (milliseconds since 1970).
    public var due = 0
    public var oldestDueAt: Int64?
    public var running = 0
    /// Runs waiting for an approval.
    public var waiting = 0
    /// Dead letters: runs that failed for good.
    public var dead = 0
    /// Runs that ended failed or dead since the time asked for.
    public var recentFailures = 0
    /// Nodes whose heartbeat is recent.
    public var workersAlive = 0
    /// Nodes holding the lease of a running run.
    public var workersBusy = 0
    /// The node holding the leadership lease, if it has not expired.
    public var leader: String?
}

extension TaskStore {
    /// Heartbeats are written every 10 s: a node silent for three of them is not counted alive.
    public static let aliveWithinMilliseconds: Int64 = 30_000

    static let overviewQueries = (
        backlog: "SELECT COUNT(*), MIN(run_at) FROM due_work WHERE locked_by IS NULL AND run_at <= $1",
        statuses: "SELECT status, COUNT(*) FROM runs WHERE status IN ('running', 'waiting', 'dead') AND \(RunRows.statusIndexed) GROUP BY status",
        failures: "SELECT COUNT(*) FROM runs WHERE status IN ('failed', 'dead') AND finished_at >= $1",
        alive: "SELECT COUNT(*) FROM workers WHERE heartbeat_at >= $1",
        busy: "SELECT COUNT(DISTINCT lease_owner) FROM runs WHERE status = 'running' AND \(RunRows.statusIndexed)",
        leader: "SELECT holder FROM leader_leases WHERE name = $1 AND expires_at >= $2"
    )

    /// The overview now: `failuresSince` bounds the failures counted; `leadership` names the lease.
    public func overview(failuresSince: Int64, leadership: String) async throws(StoreError) -> Overview {
        let now = clock()
        let queries = Self.overviewQueries
        return try await database.transaction { connection throws(StoreError) in
            var overview = Overview()
            if let backlog = try connection.execute(queries.backlog, .integer(now)).first {
                overview.due = backlog.int(0)
                overview.oldestDueAt = backlog.integer(1)
            }
            for row in try connection.execute(queries.statuses) {
                switch row.text(0) {
                case "running": overview.running = row.int(1)
                case "waiting": overview.waiting = row.int(1)
                default: overview.dead = row.int(1)
                }
            }
            overview.recentFailures = try connection.execute(queries.failures, .integer(failuresSince)).first?.int(0) ?? 0
            overview.workersAlive = try connection.execute(queries.alive, .integer(now - Self.aliveWithinMilliseconds)).first?.int(0) ?? 0
            overview.workersBusy = try connection.execute(queries.busy).first?.int(0) ?? 0
            overview.leader = try connection.execute(queries.leader, .text(leadership), .integer(now)).first?.text(0)
            return overview
        }
    }
}
