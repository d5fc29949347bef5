import OrdinautCore

/// A task as stored. Times are milliseconds since 1970 (UTC).
public struct TaskRecord: Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String?
    public var createdBy: String
    public var scheduleKind: ScheduleKind
    public var scheduleExpr: String?
    public var timezone: String
    /// `{"pipeline": [...], "params": {...}}`.
    public var payload: JSONValue
    public var status: TaskStatus
    /// 1–9; higher runs first when several are due.
    public var priority: Int
    public var dedupeKey: String?
    public var dedupeWindowSeconds: Int
    public var maxRetries: Int
    public var backoffStrategy: BackoffStrategy
    public var concurrencyKey: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The next time the scheduler produces work for it (`nil`: none pending, or event-driven).
    public var nextRunAt: Int64?
    /// The anchor of recurrences without their own DTSTART: the task's creation, to the minute.
    public var dtstart: Int64
    /// Until when it is snoozed: no scheduled work before then.
    public var snoozedUntil: Int64?
    /// The scopes of the principal that created the task; its runs act with these. `nil` for
    /// tasks created before the store kept them (migration 3): such tasks keep running with every scope.
    public var creatorScopes: [String]?
    /// The W3C `traceparent` of the span the task was created in (tracing on), so that each run's
    /// trace links back to it; `nil` otherwise and for tasks older than migration 5.
    public var traceParent: String?
    /// After this many runs in a row end dead the task is paused (`pausedReason` `.failures`); `nil`
    /// takes the server's default (`ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES`, off unless set).
    public var maxConsecutiveFailures: Int?
    /// Runs in a row that ended dead: a run that succeeds sets it back to 0, and so does resuming.
    public var consecutiveFailures: Int
    /// Why the task is paused when the scheduler paused it; `nil` when someone paused it (or it is not paused).
    public var pausedReason: PauseReason?
    /// The dead run that stopped the task (with `pausedReason` `.failures`).
    public var stoppedByRun: String?

    public init(id: String, title: String, description: String? = nil, createdBy: String, scheduleKind: ScheduleKind,
                scheduleExpr: String?, timezone: String = "UTC", payload: JSONValue, status: TaskStatus = .active,
                priority: Int = 5, dedupeKey: String? = nil, dedupeWindowSeconds: Int = 0, maxRetries: Int = 3,
                backoffStrategy: BackoffStrategy = .exponentialJitter, concurrencyKey: String? = nil,
                createdAt: Int64, updatedAt: Int64? = nil, nextRunAt: Int64? = nil, dtstart: Int64? = nil,
                snoozedUntil: Int64? = nil, creatorScopes: [String]? = nil, traceParent: String? = nil,
                maxConsecutiveFailures: Int? = nil, consecutiveFailures: Int = 0, pausedReason: PauseReason? = nil,
                stoppedByRun: String? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.createdBy = createdBy
        self.scheduleKind = scheduleKind
        self.scheduleExpr = scheduleExpr
        self.timezone = timezone
        self.payload = payload
        self.status = status
        self.priority = priority
        self.dedupeKey = dedupeKey
        self.dedupeWindowSeconds = dedupeWindowSeconds
        self.maxRetries = maxRetries
        self.backoffStrategy = backoffStrategy
        self.concurrencyKey = concurrencyKey
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.nextRunAt = nextRunAt
        self.dtstart = dtstart ?? createdAt / 60_000 * 60_000
        self.snoozedUntil = snoozedUntil
        self.creatorScopes = creatorScopes
        self.traceParent = traceParent
        self.maxConsecutiveFailures = maxConsecutiveFailures
        self.consecutiveFailures = consecutiveFailures
        self.pausedReason = pausedReason
        self.stoppedByRun = stoppedByRun
    }
}
