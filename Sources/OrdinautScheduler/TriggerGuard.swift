import OrdinautAuth
import OrdinautEvents
import Synchronization

/// Decides whether an event may start a run of an event or condition task, so that tasks which
/// publish the events they react to — themselves, or in a ring — stop: an event deeper than
/// `RunLimits.eventDepth` in a chain of event-started runs starts nothing, and each task starts at
/// most `RunLimits.eventRuns` runs from events (per node).
final class TriggerGuard: Sendable {
    enum Refusal: String, Sendable {
        case depth
        case rate

        func reason(_ limits: RunLimits, event: Event) -> String {
            switch self {
            case .depth:
                return "event \(event.id) is \(event.causation?.depth ?? 0) runs deep in a chain of event tasks; the limit is \(limits.eventDepth) (ORDINAUT_EVENT_MAX_DEPTH)"
            case .rate:
                let limit = limits.eventRuns.map { "\($0.rate)/s, burst \(Int($0.burst))" } ?? ""
                return "the task started more runs from events than its rate allows (\(limit), ORDINAUT_EVENT_TASK_RATE_LIMIT)"
            }
        }
    }

    let limits: RunLimits
    private let rates = RateLimiter()
    /// When each (task, refusal) was last reported, so a flood writes one audit entry a minute.
    private let reported = Mutex<[String: Double]>([:])
    private let clock: @Sendable () -> Double

    init(limits: RunLimits, clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.limits = limits
        self.clock = clock
    }

    /// Why `event` may not start a run of task `taskId`, or `nil` when it may (and the run is counted).
    func refusal(for event: Event, taskId: String) -> Refusal? {
        if let depth = event.causation?.depth, depth >= limits.eventDepth { return .depth }
        if let limit = limits.eventRuns, case .limited = rates.take(taskId, limit: limit) { return .rate }
        return nil
    }

    /// Whether a refusal of this kind for this task should be written down now.
    func shouldReport(_ refusal: Refusal, taskId: String) -> Bool {
        let now = clock()
        let key = "\(refusal.rawValue):\(taskId)"
        return reported.withLock { reported in
            if let last = reported[key], now - last < 60 { return false }
            if reported.count >= 10_000 { reported = reported.filter { now - $0.value < 60 } }
            reported[key] = now
            return true
        }
    }
}
