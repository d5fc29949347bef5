import OrdinautCore
import OrdinautStore

/// Reads the fields of a task from a request body or tool arguments (the original's names) and
/// checks each: every problem is an `InputError` naming its field.
enum TaskInput {
    static let fields: Set<String> = [
        "title", "description", "created_by", "schedule_kind", "schedule_expr", "timezone", "payload", "status", "priority",
        "dedupe_key", "dedupe_window_seconds", "max_retries", "backoff_strategy", "concurrency_key", "max_consecutive_failures",
    ]
    /// Fields an update may change (`status` changes through pause, resume and cancel).
    static let mutable: Set<String> = fields.subtracting(["created_by", "status"])

    static func checkKeys(_ object: JSONObject, allowed: Set<String>) throws(InputError) {
        for key in object.keys where !allowed.contains(key) {
            let hint = fields.contains(key) ? "it cannot be changed here" : "known fields are \(allowed.sorted().joined(separator: ", "))"
            throw InputError("unknown or read-only field \"\(key)\": \(hint)", field: key)
        }
    }

    /// Applies `object`'s fields to `task`.
    static func apply(_ object: JSONObject, to task: inout TaskRecord) throws(InputError) {
        for (key, value) in object {
            switch key {
            case "title": task.title = try string(value, key, maxLength: 200, allowEmpty: false)!
            case "description": task.description = try string(value, key, maxLength: 10_000, nullable: true)
            case "created_by": task.createdBy = try string(value, key, maxLength: 200, allowEmpty: false)!
            case "schedule_kind":
                let text = try string(value, key, maxLength: 20, allowEmpty: false)!
                guard let kind = ScheduleKind(rawValue: text) else {
                    throw InputError("schedule_kind \"\(text)\" is not one of \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", "))", field: key)
                }
                task.scheduleKind = kind
            case "schedule_expr": task.scheduleExpr = try string(value, key, maxLength: 4096, nullable: true)
            case "timezone": task.timezone = try string(value, key, maxLength: 64, allowEmpty: false)!
            case "payload": task.payload = value
            case "status":
                let text = try string(value, key, maxLength: 20, allowEmpty: false)!
                guard let status = TaskStatus(rawValue: text), status != .canceled else {
                    throw InputError("status must be active or paused", field: key)
                }
                task.status = status
            case "priority": task.priority = try integer(value, key, 1...9)
            case "dedupe_key": task.dedupeKey = try string(value, key, maxLength: 200, nullable: true)
            case "dedupe_window_seconds": task.dedupeWindowSeconds = try integer(value, key, 0...2_592_000)
            case "max_retries": task.maxRetries = try integer(value, key, 0...100)
            case "backoff_strategy":
                let text = try string(value, key, maxLength: 40, allowEmpty: false)!
                guard let strategy = BackoffStrategy(rawValue: text) else {
                    throw InputError("backoff_strategy \"\(text)\" is not one of \(BackoffStrategy.allCases.map(\.rawValue).joined(separator: ", "))", field: key)
                }
                task.backoffStrategy = strategy
            case "concurrency_key": task.concurrencyKey = try string(value, key, maxLength: 200, nullable: true)
            case "max_consecutive_failures":
                task.maxConsecutiveFailures = try value == .null ? nil : integer(value, key, SchedulerConfiguration.taskFailureLimits, nullable: true)
            default: throw InputError("unknown field \"\(key)\"", field: key)
            }
        }
    }

    private static func string(_ value: JSONValue, _ field: String, maxLength: Int, allowEmpty: Bool = true,
                               nullable: Bool = false) throws(InputError) -> String? {
        if value == .null, nullable { return nil }
        guard let text = value.stringValue else {
            throw InputError("\(field) must be a string\(nullable ? " or null" : "")", field: field)
        }
        guard allowEmpty || !text.isEmpty else { throw InputError("\(field) must not be empty", field: field) }
        guard text.count <= maxLength else { throw InputError("\(field) is longer than \(maxLength) characters", field: field) }
        return text
    }

    private static func integer(_ value: JSONValue, _ field: String, _ range: ClosedRange<Int>,
                                nullable: Bool = false) throws(InputError) -> Int {
        guard let number = value.integerValue, range.contains(Int(number)) else {
            let orNull = nullable ? " (or null)" : ""
            throw InputError("\(field) must be an integer from \(range.lowerBound) to \(range.upperBound)\(orNull)", field: field)
        }
        return Int(number)
    }
}
