import Foundation
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautScheduler
import OrdinautStore
import Testing

/// A task stopped by errors, through the service and real workers: paused after exactly
/// `max_consecutive_failures` dead runs, `ordinaut.task.stopped` published with the run's causation,
/// the observer told once, the field checked on input, and resuming clearing the stop.
@Suite("Task stopped by errors")
struct TaskStopTests {
    @Test func aTaskWhoseRunsKeepDyingIsPausedOnceAndResumingClearsIt() async throws {
        let rig = try await SchedulerRig()
        let alerts = Box<[Event]>([])
        let subscription = try await rig.bus.subscribe(try TopicPattern("ordinaut.task.stopped"), subscriber: "test", delivery: .fanOut) { event in
            alerts.update { $0.append(event) }
        }
        let task = try await rig.create(["title": "doomed", "max_retries": 0, "max_consecutive_failures": 2, "payload": [
            "pipeline": [["uses": "flaky", "with": ["key": .string(UUID().uuidString), "failures": 100]]],
        ]])
        #expect(task.maxConsecutiveFailures == 2)
        let runs = try await rig.running {
            _ = try await rig.runs(of: task.id) { $0.last?.status == .dead }
            _ = try await rig.service.runNow(id: task.id, actor: "tests")
            _ = try await rig.runs(of: task.id) { $0.count == 2 && $0.allSatisfy { $0.status == .dead } }
            for _ in 0..<3000 {
                if !alerts.value.isEmpty { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            return try await rig.runs(of: task.id) { _ in true }
        }
        subscription.cancel()
        let stopped = try await rig.service.task(id: task.id)
        #expect(stopped.status == .paused && stopped.pausedReason == .failures && stopped.consecutiveFailures == 2)
        #expect(stopped.stoppedByRun == runs[1].id)
        #expect(stopped.json["paused_reason"] == "failures" && stopped.json["stopped_by_run_id"] == .string(runs[1].id))
        let alert = try #require(alerts.value.first)
        #expect(alerts.value.count == 1 && rig.observed.stops.value == 1)
        #expect(alert.source == "ordinaut" && alert.stream == "ext:ordinaut:events:ordinaut.task.stopped")
        #expect(alert.payload["task_id"] == .string(task.id) && alert.payload["task_title"] == "doomed")
        #expect(alert.payload["consecutive_failures"] == 2 && alert.payload["max_consecutive_failures"] == 2)
        #expect(alert.payload["run_id"] == .string(runs[1].id))
        #expect(alert.payload["error"]?.stringValue?.contains("failure 2") == true)
        #expect(alert.causation == Causation(depth: 1, runId: runs[1].id, taskIds: [task.id]))
        await #expect(throws: TaskServiceError.self) { _ = try await rig.service.runNow(id: task.id, actor: "tests") }

        let resumed = try await rig.service.resume(id: task.id, actor: "tests")
        #expect(resumed.status == .active && resumed.consecutiveFailures == 0 && resumed.pausedReason == nil && resumed.stoppedByRun == nil)
        #expect(try await rig.service.task(id: task.id) == resumed)
        await rig.store.database.close()
    }

    @Test(arguments: [JSONValue.integer(0), -1, 10_001, "3", 2.5, true])
    func aBadLimitIsRefusedNamingTheField(_ limit: JSONValue) async throws {
        let rig = try await SchedulerRig()
        let error = await #expect(throws: TaskServiceError.self) {
            _ = try await rig.create(["max_consecutive_failures": limit, "payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 2]]]]])
        }
        #expect(error?.field == "max_consecutive_failures")
        #expect(error?.message == "max_consecutive_failures must be an integer from 1 to 10000 (or null)")
        #expect(try await rig.store.tasks.list(.init()).items.isEmpty)
        await rig.store.database.close()
    }

    @Test func anUpdateSetsTheLimitAndNullGivesItBackToTheServer() async throws {
        let rig = try await SchedulerRig()
        let principal = Principal(subject: "tests", displayName: "tests", scopes: .all, method: .local)
        let task = try await rig.create(["payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 2]]]]])
        #expect(task.maxConsecutiveFailures == nil && task.json["max_consecutive_failures"] == .null)
        let limited = try await rig.service.update(id: task.id, patch: ["max_consecutive_failures": 4], principal: principal)
        #expect(limited.maxConsecutiveFailures == 4)
        let unset = try await rig.service.update(id: task.id, patch: ["max_consecutive_failures": .null], principal: principal)
        #expect(unset.maxConsecutiveFailures == nil)
        await rig.store.database.close()
    }
}
