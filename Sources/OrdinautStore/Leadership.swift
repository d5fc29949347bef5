import Foundation
import OrdinautCore

/// Leader leases (one node runs the scheduler loop) and node heartbeats.
public struct Leadership: StoreRole {
    let core: StoreCore

    public init(core: StoreCore) {
        self.core = core
    }

    /// Takes or keeps the lease `name` for `holder` for `ttl` milliseconds; returns whether `holder` has it.
    public func lead(_ name: String, holder: String, ttl: Int64) async throws(StoreError) -> Bool {
        let now = clock()
        return try await database.transaction { connection throws(StoreError) in
            let rows = try connection.execute(
                """
                INSERT INTO leader_leases (name, holder, expires_at) VALUES ($1, $2, $3)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE leader_leases.holder = excluded.holder OR leader_leases.expires_at < $4
                RETURNING holder
                """, .text(name), .text(holder), .integer(now + ttl), .integer(now))
            return !rows.isEmpty
        }
    }

    /// Gives up the lease `name` if `holder` has it, so another node takes over at once.
    public func resign(_ name: String, holder: String) async throws(StoreError) {
        try await database.transaction { connection throws(StoreError) in
            try connection.execute("DELETE FROM leader_leases WHERE name = $1 AND holder = $2", .text(name), .text(holder))
        }
    }

    /// Records that `worker` is alive.
    public func heartbeat(worker: String, hostname: String, startedAt: Int64) async throws(StoreError) {
        let now = clock()
        try await database.transaction { connection throws(StoreError) in
            try connection.execute(
                """
                INSERT INTO workers (id, hostname, started_at, heartbeat_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                """, .text(worker), .text(hostname), .integer(startedAt), .integer(now))
            try connection.execute("DELETE FROM workers WHERE heartbeat_at < $1", .integer(now - 3_600_000))
        }
    }
}
