import OrdinautCore
import OrdinautStore

extension TaskService {
    /// The `GET /stats` figures of the scheduler: backlog, runs, failures in the last hour, workers
    /// and the leader; `extensionsInError` are the ids of failed extensions (the host's to say).
    public func overview(extensionsInError: [String]) async throws(StoreError) -> JSONValue {
        let now = store.clock()
        let overview = try await store.overview(failuresSince: now - 3_600_000, leadership: SchedulerLoop.leadership)
        return [
            "generated_at": .string(isoTime(now)),
            "due": [
                "count": .integer(Int64(overview.due)),
                "oldest_age_seconds": overview.oldestDueAt.map { .integer(max(0, now - $0) / 1000) } ?? .null,
            ],
            "running": .integer(Int64(overview.running)),
            "waiting_approval": .integer(Int64(overview.waiting)),
            "dead_letters": .integer(Int64(overview.dead)),
            "failures_last_hour": .integer(Int64(overview.recentFailures)),
            "workers": ["alive": .integer(Int64(overview.workersAlive)), "busy": .integer(Int64(overview.workersBusy))],
            "leader": overview.leader.map(JSONValue.string) ?? .null,
            "extensions_in_error": ["count": .integer(Int64(extensionsInError.count)), "ids": .array(extensionsInError.map(JSONValue.string))],
        ]
    }
}
