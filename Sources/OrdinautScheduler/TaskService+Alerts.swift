import Logging
import OrdinautCore
import OrdinautEvents
import OrdinautStore

/// Events the scheduler publishes when something needs an operator, so that an event task can tell
/// someone through any tool. Each is an ordinary event from source `ordinaut` in the default
/// namespace (stream `ext:ordinaut:events:<name>`); an event task subscribes with the name.
extension TaskService {
    public enum Alert: String, Sendable, CaseIterable {
        /// A run failed for good: no retry is left, or the failure cannot be retried.
        case runDead = "ordinaut.run.dead"
        /// This node stopped producing scheduled work because another node took over its lease.
        case leaderLost = "ordinaut.leader.lost"
    }

    /// Publishes `ordinaut.run.dead` for a run that was just recorded as dead. The event carries the
    /// run's causation, so a task that reacts to it and itself dies is stopped at the usual depth.
    func alertDead(_ work: ClaimedWork, error: String) async {
        let payload: JSONValue = [
            "run_id": .string(work.run.id), "task_id": .string(work.task.id), "task_title": .string(work.task.title),
            "attempt": .integer(Int64(work.run.attempt)), "trigger": .string(work.run.trigger.rawValue),
            "error": .string(String(error.prefix(2000))), "node": .string(configuration.nodeID),
        ]
        let trigger = Causation(json: work.run.context["event"]?["causation"])
        await alert(.runDead, payload, causation: Causation(runId: work.run.id, taskId: work.task.id, trigger: trigger))
    }

    /// Publishes `alert`; a bus that refuses it is logged, never fatal to the work that raised it.
    func alert(_ alert: Alert, _ payload: JSONValue, causation: Causation? = nil) async {
        do throws(StoreError) {
            _ = try await publish(topic: alert.rawValue, payload: payload, actor: configuration.nodeID, causation: causation)
        } catch {
            logger.warning("cannot publish the \(alert.rawValue) alert: \(error)")
        }
    }
}
