import OrdinautCalendar
import OrdinautCore
import OrdinautStore

/// ISO-8601 UTC text for stored milliseconds: `2025-03-30T06:00:00.000Z`.
public func isoTime(_ milliseconds: Int64) -> String {
    let seconds = Int(milliseconds.floorDivided(by: 1000))
    let fraction = Int(milliseconds - Int64(seconds) * 1000)
    let text = String(fraction)
    return LocalDateTime(localSeconds: seconds).description + "." + String(repeating: "0", count: 3 - text.count) + text + "Z"
}

func isoTime(_ milliseconds: Int64?) -> JSONValue {
    milliseconds.map { .string(isoTime($0)) } ?? .null
}

extension TaskRecord {
    /// The task as every API shows it, with the original's field names.
    public var json: JSONValue {
        [
            "id": .string(id), "title": .string(title), "description": description.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy), "schedule_kind": .string(scheduleKind.rawValue),
            "schedule_expr": scheduleExpr.map(JSONValue.string) ?? .null, "timezone": .string(timezone), "payload": payload,
            "status": .string(status.rawValue), "priority": .integer(Int64(priority)),
            "dedupe_key": dedupeKey.map(JSONValue.string) ?? .null, "dedupe_window_seconds": .integer(Int64(dedupeWindowSeconds)),
            "max_retries": .integer(Int64(maxRetries)), "backoff_strategy": .string(backoffStrategy.rawValue),
            "concurrency_key": concurrencyKey.map(JSONValue.string) ?? .null, "created_at": .string(isoTime(createdAt)),
            "updated_at": .string(isoTime(updatedAt)), "next_run_at": isoTime(nextRunAt), "snoozed_until": isoTime(snoozedUntil),
            "dtstart": .string(isoTime(dtstart)),
            "max_consecutive_failures": maxConsecutiveFailures.map { .integer(Int64($0)) } ?? .null,
            "consecutive_failures": .integer(Int64(consecutiveFailures)),
            "paused_reason": pausedReason.map { .string($0.rawValue) } ?? .null,
            "stopped_by_run_id": stoppedByRun.map(JSONValue.string) ?? .null,
        ]
    }
}

extension RunRecord {
    /// The run as every API shows it.
    public var json: JSONValue {
        [
            "id": .string(id), "task_id": .string(taskId), "attempt": .integer(Int64(attempt)), "trigger": .string(trigger.rawValue),
            "status": .string(status.rawValue), "success": success.map(JSONValue.bool) ?? .null,
            "lease_owner": leaseOwner.map(JSONValue.string) ?? .null, "leased_until": isoTime(leaseExpiresAt),
            "created_at": .string(isoTime(createdAt)), "started_at": isoTime(startedAt), "finished_at": isoTime(finishedAt),
            "error": error.map(JSONValue.string) ?? .null, "output": output, "context": context,
            "takeovers": .integer(Int64(takeovers)),
        ]
    }
}

extension ApprovalRecord {
    public var json: JSONValue {
        [
            "run_id": .string(runId), "task_id": .string(taskId), "step": .string(stepId), "prompt": .string(prompt),
            "requested_at": .string(isoTime(createdAt)), "answered_at": isoTime(answeredAt),
            "approved": approved.map(JSONValue.bool) ?? .null, "answered_by": answeredBy.map(JSONValue.string) ?? .null,
            "comment": comment.map(JSONValue.string) ?? .null,
        ]
    }
}

extension AuditEntry {
    public var json: JSONValue {
        [
            "id": .integer(id), "at": .string(isoTime(at)), "actor": .string(actor), "action": .string(action),
            "task_id": taskId.map(JSONValue.string) ?? .null, "run_id": runId.map(JSONValue.string) ?? .null, "details": details,
        ]
    }
}
