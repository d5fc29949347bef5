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
        /// A task was paused because its runs ended dead `max_consecutive_failures` times in a row.
        case taskStopped = "ordinaut.task.stopped"
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
        await alert(.runDead, payload, causation: causation(of: work))
    }

    /// Tells everyone that `work`'s death paused its task (`stop`): metrics, watchers of the task,
    /// and `ordinaut.task.stopped` with the same causation as the run's `ordinaut.run.dead`.
    func taskStopped(_ work: ClaimedWork, _ stop: WorkQueue.TaskStop, error: String) async {
        observer?.taskStopped()
        var task = work.task
        task.status = .paused
        changed(task, "task.status")
        logger.warning("task \(task.id) paused after \(stop.consecutiveFailures) dead runs in a row; resume it once the cause is fixed",
                       metadata: ["task_id": .string(task.id), "run_id": .string(work.run.id)])
        let payload: JSONValue = [
            "task_id": .string(task.id), "task_title": .string(task.title), "status": .string(TaskStatus.paused.rawValue),
            "paused_reason": .string(PauseReason.failures.rawValue), "consecutive_failures": .integer(Int64(stop.consecutiveFailures)),
            "max_consecutive_failures": .integer(Int64(stop.limit)), "run_id": .string(work.run.id),
            "error": .string(String(error.prefix(2000))), "node": .string(configuration.nodeID),
        ]
        await alert(.taskStopped, payload, causation: causation(of: work))
    }

    /// The causation an alert about `work` carries: the run, and the chain that triggered it.
    private func causation(of work: ClaimedWork) -> Causation {
        Causation(runId: work.run.id, taskId: work.task.id, trigger: Causation(json: work.run.context["event"]?["causation"]))
    }

    /// Publishes `alert`; a bus that refuses it is logged, never fatal to the work that raised it.
    func alert(_ alert: Alert, _ payload: JSONValue, causation: Causation? = nil) async {
        do throws(TaskServiceError) {
            _ = try await publish(topic: alert.rawValue, payload: payload, actor: configuration.nodeID, causation: causation)
        } catch {
            logger.warning("cannot publish the \(alert.rawValue) alert: \(error)")
        }
    }
}
