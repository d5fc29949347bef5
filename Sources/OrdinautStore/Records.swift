import OrdinautCore

/// How a task's schedule is written (`schedule_kind`).
public enum ScheduleKind: String, Sendable, CaseIterable, Codable {
    /// Standard five-field cron in the task's time zone.
    case cron
    /// An RFC 5545 recurrence (`FREQ=…`, optionally with `DTSTART`), anchored to the task's `dtstart`.
    case rrule
    /// One ISO-8601 instant.
    case once
    /// A topic pattern; every matching event starts a run with the event as `${event}`.
    case event
    /// `<topic pattern> when <JMESPath>`: a matching event starts a run when the expression holds.
    case condition
}

/// `active` tasks produce work; `paused` ones keep their schedule but produce none; `canceled` is final.
public enum TaskStatus: String, Sendable, CaseIterable {
    case active, paused, canceled
}

/// How long a failed attempt waits before the next (`backoff_strategy`).
public enum BackoffStrategy: String, Sendable, CaseIterable {
    /// base · 2ⁿ⁻¹ capped, drawn from its upper half (the default).
    case exponentialJitter = "exponential_jitter"
    /// base · 2ⁿ⁻¹ capped, exactly.
    case exponential
    /// base · n capped.
    case linear
    /// base every time.
    case fixed
}

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

    public init(id: String, title: String, description: String? = nil, createdBy: String, scheduleKind: ScheduleKind,
                scheduleExpr: String?, timezone: String = "UTC", payload: JSONValue, status: TaskStatus = .active,
                priority: Int = 5, dedupeKey: String? = nil, dedupeWindowSeconds: Int = 0, maxRetries: Int = 3,
                backoffStrategy: BackoffStrategy = .exponentialJitter, concurrencyKey: String? = nil,
                createdAt: Int64, updatedAt: Int64? = nil, nextRunAt: Int64? = nil, dtstart: Int64? = nil,
                snoozedUntil: Int64? = nil, creatorScopes: [String]? = nil) {
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
    }
}

/// Where a run came from.
public enum RunTrigger: String, Sendable, CaseIterable {
    case schedule, manual, event, retry
}

/// A run's state. `failed` attempts are retried by a later run; `dead` is the dead letter: failed
/// with no retry left, or failed in a way retrying cannot fix.
public enum RunStatus: String, Sendable, CaseIterable {
    case running, succeeded, failed, dead, waiting, canceled

    public var isFinal: Bool { self != .running && self != .waiting }
}

/// One attempt at a task.
public struct RunRecord: Sendable, Equatable {
    public var id: String
    public var taskId: String
    public var attempt: Int
    public var trigger: RunTrigger
    public var status: RunStatus
    public var leaseOwner: String?
    public var leaseExpiresAt: Int64?
    public var createdAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    public var error: String?
    /// `{"steps": [...], "result": …}`: every executed step's input, output, duration and error.
    public var output: JSONValue
    /// What started it: the event for event and condition tasks, the approval for resumed runs.
    public var context: JSONValue
    /// How many times another worker took it over after its lease expired.
    public var takeovers: Int
    /// The due item that started this run's retry chain (its own, for a first attempt).
    public var rootDueId: Int64?

    public var success: Bool? {
        switch status {
        case .succeeded: return true
        case .failed, .dead, .canceled: return false
        case .running, .waiting: return nil
        }
    }
}

/// Work a worker holds: the due item, its task and its run (created or taken over at claim time).
public struct ClaimedWork: Sendable {
    public let dueId: Int64
    public let task: TaskRecord
    public var run: RunRecord
    /// The lease token: this claim's own, so a worker that lost its lease cannot write over the next holder.
    public let lease: String
    public let leaseExpiresAt: Int64
    public let dueContext: JSONValue
}

/// A pending approval of a run parked at an approval step.
public struct ApprovalRecord: Sendable, Equatable {
    public var runId: String
    public var taskId: String
    public var stepId: String
    public var prompt: String
    public var createdAt: Int64
    public var answeredAt: Int64?
    public var approved: Bool?
    public var answeredBy: String?
    public var comment: String?
}

/// One line of the audit log, written in the same transaction as the change it records.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Int64
    public var actor: String
    public var action: String
    public var taskId: String?
    public var runId: String?
    public var details: JSONValue
}

/// One page of a listing.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var hasMore: Bool
    /// Where the next page starts; nil on the last page.
    public var nextCursor: ListCursor?

    public init(items: [Item], hasMore: Bool, nextCursor: ListCursor? = nil) {
        self.items = items
        self.hasMore = hasMore
        self.nextCursor = nextCursor
    }
}
