import Foundation
import OrdinautCore
import OrdinautEvents
import OrdinautMCP
import OrdinautScheduler
import OrdinautStore
import Testing

@Suite("Scheduler and workers")
struct SchedulerTests {
    @Test(arguments: Backend.allCases)
    func aPipelineCallsRealToolsWithTemplatesConditionsAndTypedResults(_ backend: Backend) async throws {
        let rig = try await SchedulerRig(backend: backend)
        let task = try await rig.create(["payload": [
            "params": ["x": 2, "y": 3],
            "pipeline": [
                ["id": "first", "uses": "add", "with": ["a": "${params.x}", "b": "${params.y}"]],
                ["id": "second", "uses": "add", "save_as": "total", "with": ["a": "${steps.first.sum}", "b": 10]],
                ["id": "skipped", "uses": "add", "if": "steps.total.sum < `0`", "with": ["a": 0, "b": 0]],
            ],
        ]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.first?.status.isFinal == true }
        }
        let run = try #require(runs.first)
        #expect(run.status == .succeeded)
        let steps = try #require(run.output["steps"]?.arrayValue)
        #expect(steps.map { $0["status"] } == ["succeeded", "succeeded", "skipped"])
        #expect(steps[0]["input"] == ["a": 2, "b": 3])
        #expect(steps[1]["output"] == ["sum": 15])
        #expect(run.output["result"] == ["sum": 15])
        #expect(rig.observed.runs.value == ["succeeded"])
        #expect(rig.observed.steps.value == ["add:succeeded", "add:succeeded", "add:skipped"])
        await rig.store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aFailingTaskIsRetriedAsNewRunsUntilItSucceeds(_ backend: Backend) async throws {
        let rig = try await SchedulerRig(backend: backend)
        let task = try await rig.create(["max_retries": 3, "payload": [
            "pipeline": [["uses": "flaky", "with": ["key": .string(UUID().uuidString), "failures": 2]]],
        ]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.last?.status == .succeeded }
        }
        #expect(runs.map(\.attempt) == [1, 2, 3])
        #expect(runs.map(\.status) == [.failed, .failed, .succeeded])
        #expect(runs[0].error?.contains("failure 1") == true)
        let meta = runs[2].output["result"]?["meta"]
        #expect(meta?["run_id"] == .string(runs[2].id))
        #expect(meta?["attempt"] == 3)
        await rig.store.database.close()
    }

    @Test func exhaustedRetriesEndInTheDeadLetterState() async throws {
        let rig = try await SchedulerRig()
        let task = try await rig.create(["max_retries": 1, "payload": [
            "pipeline": [["uses": "flaky", "with": ["key": .string(UUID().uuidString), "failures": 5]]],
        ]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.last?.status == .dead }
        }
        #expect(runs.map(\.status) == [.failed, .dead])
        #expect(try await rig.store.queue.runs(.init(status: .dead)).items.map(\.id) == [runs[1].id])
        #expect(rig.observed.starts.value == ["schedule", "retry"])
        #expect(rig.observed.runs.value == ["retrying", "dead"])
        #expect(rig.observed.leading.value.first == true)
        await rig.store.database.close()
    }

    @Test func aDeadRunPublishesTheRunDeadAlertWithItsCausation() async throws {
        let rig = try await SchedulerRig()
        let alerts = Box<[Event]>([])
        let subscription = try await rig.bus.subscribe(try TopicPattern("ordinaut.run.dead"), subscriber: "test", delivery: .fanOut) { event in
            alerts.update { $0.append(event) }
        }
        let task = try await rig.create(["title": "doomed", "max_retries": 0, "payload": [
            "pipeline": [["uses": "flaky", "with": ["key": .string(UUID().uuidString), "failures": 5]]],
        ]])
        let runs = try await rig.running {
            _ = try await rig.runs(of: task.id) { $0.last?.status == .dead }
            for _ in 0..<3000 {
                if !alerts.value.isEmpty { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            return try await rig.runs(of: task.id) { _ in true }
        }
        subscription.cancel()
        let alert = try #require(alerts.value.first)
        #expect(alerts.value.count == 1)
        #expect(alert.source == "ordinaut" && alert.stream == "ext:ordinaut:events:ordinaut.run.dead")
        #expect(alert.payload["run_id"] == .string(runs[0].id) && alert.payload["task_id"] == .string(task.id))
        #expect(alert.payload["task_title"] == "doomed" && alert.payload["attempt"] == 1)
        #expect(alert.payload["error"]?.stringValue?.contains("failure 1") == true)
        #expect(alert.causation == Causation(depth: 1, runId: runs[0].id, taskIds: [task.id]))
        await rig.store.database.close()
    }

    @Test func argumentsThatFailTheToolsSchemaAreNotRetried() async throws {
        let rig = try await SchedulerRig()
        let task = try await rig.create(["max_retries": 5, "payload": [
            "params": ["a": "not a number"],
            "pipeline": [["uses": "add", "with": ["a": "${params.a}", "b": 1]]],
        ]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.last?.status.isFinal == true }
        }
        #expect(runs.count == 1)
        #expect(runs[0].status == .dead)
        #expect(runs[0].error?.contains("Invalid arguments for tool add") == true)
        await rig.store.database.close()
    }

    @Test func invalidTasksAreRejectedNamingTheField() async throws {
        let rig = try await SchedulerRig()
        let valid: JSONValue = ["pipeline": [["id": "a", "uses": "add", "with": ["a": 1, "b": 2]]]]
        let cases: [(JSONObject, String)] = [
            (["schedule_kind": "cron", "schedule_expr": "0 9 * *", "payload": valid], "schedule_expr"),
            (["schedule_kind": "cron", "payload": valid], "schedule_expr"),
            (["schedule_kind": "cron", "schedule_expr": "0 9 * * *", "timezone": "Mars/Olympus", "payload": valid], "timezone"),
            (["schedule_kind": "rrule", "schedule_expr": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "payload": valid], "schedule_expr"),
            (["schedule_kind": "hourly", "schedule_expr": "x", "payload": valid], "schedule_kind"),
            (["payload": ["pipeline": []]], "payload.pipeline"),
            (["payload": ["params": [:]]], "payload.pipeline"),
            (["payload": ["pipeline": [["uses": "no_such_tool"]]]], "payload.pipeline[0].uses"),
            (["payload": ["pipeline": [["with": [:]]]]], "payload.pipeline[0].uses"),
            (["payload": ["pipeline": [["uses": "add", "with": ["a": "one", "b": 2]]]]], "payload.pipeline[0].with"),
            (["payload": ["pipeline": [["id": "a", "uses": "add", "with": ["a": 1, "b": 2]],
                                       ["uses": "add", "with": ["a": "${steps.missing.sum}", "b": 2]]]]], "payload.pipeline[1].with"),
            (["payload": ["pipeline": [["id": "a", "uses": "add", "with": ["a": 1, "b": 2]],
                                       ["id": "a", "uses": "add", "with": ["a": 1, "b": 2]]]]], "payload.pipeline[1].id"),
            (["payload": ["pipeline": [["uses": "add", "if": "a ==", "with": ["a": 1, "b": 2]]]]], "payload.pipeline[0].if"),
            (["payload": ["pipeline": [["uses": "add", "with": ["a": "${params.", "b": 2]]]]], "payload.pipeline[0].with"),
            (["priority": 10, "payload": valid], "priority"),
            (["payload": valid, "owner": "me"], "owner"),
            (["schedule_kind": "once", "schedule_expr": "tomorrow", "payload": valid], "schedule_expr"),
            (["schedule_kind": "event", "schedule_expr": "bad pattern", "payload": valid], "schedule_expr"),
            (["schedule_kind": "condition", "schedule_expr": "sensor.*", "payload": valid], "schedule_expr"),
        ]
        for (fields, field) in cases {
            await #expect {
                _ = try await rig.create(fields)
            } throws: { error in
                guard case .invalid(let input)? = error as? TaskServiceError else { return false }
                return input.field == field
            }
        }
        #expect(try await rig.store.tasks.list(.init()).items.isEmpty, "nothing was stored")
        await rig.store.database.close()
    }

    @Test func pauseResumeRunNowAndSnoozeAnswerForTheirState() async throws {
        let rig = try await SchedulerRig()
        let task = try await rig.create([
            "schedule_kind": "cron", "schedule_expr": "0 9 * * 1-5", "timezone": "Europe/Chisinau",
            "payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 2]]]],
        ])
        let next = try #require(task.nextRunAt)
        let paused = try await rig.service.pause(id: task.id, actor: "t")
        #expect(paused.status == .paused)
        await #expect(throws: TaskServiceError.self) { try await rig.service.pause(id: task.id, actor: "t") }
        await #expect(throws: TaskServiceError.self) { try await rig.service.runNow(id: task.id, actor: "t") }
        let resumed = try await rig.service.resume(id: task.id, actor: "t")
        #expect(resumed.nextRunAt == next)
        let snoozed = try await rig.service.snooze(id: task.id, seconds: 7 * 86_400, actor: "t")
        #expect(try #require(snoozed.nextRunAt) >= next + 7 * 86_400_000 - 86_400_000)
        await #expect(throws: TaskServiceError.invalid("seconds must be an integer from 1 to 604800", field: "seconds")) {
            try await rig.service.snooze(id: task.id, seconds: 0, actor: "t")
        }
        _ = try await rig.service.cancel(id: task.id, actor: "t")
        await #expect(throws: TaskServiceError.store(.conflict("task \(task.id) is canceled"))) { try await rig.service.resume(id: task.id, actor: "t") }
        await rig.store.database.close()
    }

    @Test func anEventStartsMatchingTasksWithTheEventInTheirContext() async throws {
        let rig = try await SchedulerRig()
        let onEvent = try await rig.create([
            "schedule_kind": "event", "schedule_expr": "order.*",
            "payload": ["pipeline": [["uses": "add", "with": ["a": "${event.payload.total}", "b": 1]]]],
        ])
        let onCondition = try await rig.create([
            "schedule_kind": "condition", "schedule_expr": "order.* when payload.total > `100`",
            "payload": ["pipeline": [["uses": "add", "with": ["a": "${event.payload.total}", "b": 0]]]],
        ])
        let (small, smallFired) = try await rig.service.publish(topic: "order.placed", payload: ["total": 41], actor: "t")
        #expect(smallFired == [onEvent.id])
        let (_, bigFired) = try await rig.service.publish(topic: "order.placed", payload: ["total": 500], actor: "t")
        #expect(Set(bigFired) == [onEvent.id, onCondition.id])
        #expect(try await rig.service.publish(topic: "invoice.sent", payload: [:], actor: "t").triggered.isEmpty)
        let runs = try await rig.running {
            try await rig.runs(of: onEvent.id) { $0.count == 2 && $0.allSatisfy { $0.status == .succeeded } }
        }
        #expect(Set(runs.compactMap { $0.output["result"]?["sum"] }) == [42, 501])
        #expect(runs.contains { $0.context["event"]?["id"] == .string(small.id) })
        await rig.store.database.close()
    }

    @Test func anApprovalStepParksTheRunUntilSomeoneAnswers() async throws {
        let rig = try await SchedulerRig()
        let task = try await rig.create(["payload": ["pipeline": [
            ["id": "quote", "uses": "add", "with": ["a": 40, "b": 2]],
            ["id": "ok", "uses": "ordinaut.approval", "with": ["prompt": "Spend ${steps.quote.sum}?"]],
            ["id": "spend", "uses": "add", "if": "steps.ok.approved", "with": ["a": "${steps.quote.sum}", "b": 0]],
        ]]])
        let runs = try await rig.running { () async throws -> [RunRecord] in
            let waiting = try await rig.runs(of: task.id) { $0.first?.status == .waiting }
            let detail = try await rig.service.runDetail(id: waiting[0].id)
            #expect(detail["approval"]?["prompt"] == "Spend 42?")
            _ = try await rig.service.approve(runId: waiting[0].id, approved: true, comment: "fine", actor: "alice")
            return try await rig.runs(of: task.id) { $0.first?.status == .succeeded }
        }
        #expect(runs.count == 1, "the approved run continues; no new run")
        let steps = try #require(runs[0].output["steps"]?.arrayValue)
        #expect(steps.map { $0["id"] } == ["quote", "ok", "spend"])
        #expect(steps[1]["output"]?["by"] == "alice")
        #expect(runs[0].output["result"] == ["sum": 42])
        await rig.store.database.close()
    }

    @Test func aLongRunKeepsItsLeaseAndRunsOnce() async throws {
        let rig = try await SchedulerRig { $0.leaseSeconds = 3 }
        let task = try await rig.create(["payload": ["pipeline": [["uses": "slow", "with": ["ms": 4500]]]]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.first?.status.isFinal == true }
        }
        #expect(runs.count == 1)
        #expect(runs[0].status == .succeeded)
        #expect(runs[0].takeovers == 0)
        #expect(rig.observed.renewals.value.contains(true) && !rig.observed.renewals.value.contains(false))
        #expect(rig.observed.starts.value == ["schedule"])
        await rig.store.database.close()
    }

    /// A process that stalls past its leases (a pause, a starved machine) finds its own runs due again
    /// and claims them anew while their first executions still run. The first execution must then
    /// learn that its lease is gone and stop; the second, now the holder, must keep its lease and
    /// record the ending. The store's clock only moves by hand here, so the lease lapses exactly once.
    @Test(.timeLimit(.minutes(1))) func aRunItsOwnNodeTakesOverAfterAStallRunsToTheEndOnce() async throws {
        let clock = TestClock()
        let rig = try await SchedulerRig(clock: clock) {
            $0.leaseSeconds = 3
            $0.workers = 2
        }
        let completed = Box(0)
        try rig.server.tools.register(Tool(name: "sleeper", inputSchema: ["type": "object"]) { _, _ in
            // Long beside the renewal period (a second), so that a loaded machine still cancels the first in time.
            try await Task.sleep(for: .seconds(6))
            completed.update { $0 += 1 }
            return .text("slept")
        })
        let task = try await rig.create(["payload": ["pipeline": [["uses": "sleeper"]]]])
        let runs = try await rig.running {
            _ = try await rig.runs(of: task.id) { $0.first?.status == .running }
            clock.advance(seconds: 10)
            return try await rig.runs(of: task.id) { $0.first?.status.isFinal == true }
        }
        #expect(runs.count == 1)
        #expect(runs[0].status == .succeeded)
        #expect(runs[0].takeovers == 1)
        #expect(rig.observed.starts.value == ["schedule", "schedule:takeover"])
        #expect(completed.value == 1, "the execution whose lease was taken over stopped; the other finished")
        #expect(rig.observed.renewals.value.contains(false), "the first execution learnt that its lease was gone")
        await rig.store.database.close()
    }

    @Test func aStepThatOutlivesItsTimeoutFails() async throws {
        let rig = try await SchedulerRig()
        let task = try await rig.create(["max_retries": 0, "payload": ["pipeline": [
            ["uses": "slow", "timeout_seconds": 0.2, "with": ["ms": 60_000]],
        ]]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.first?.status.isFinal == true }
        }
        #expect(runs[0].status == .dead)
        #expect(runs[0].error?.contains("did not answer within") == true)
        await rig.store.database.close()
    }

    @Test func aConcurrencyKeyKeepsRunsFromOverlapping() async throws {
        let rig = try await SchedulerRig { $0.workers = 4 }
        var tasks: [TaskRecord] = []
        for index in 0..<3 {
            tasks.append(try await rig.create(["concurrency_key": "printer", "payload": ["pipeline": [
                ["uses": "slow", "with": ["ms": 150, "tag": .string("t\(index)")]],
            ]]]))
        }
        var intervals: [(Double, Double)] = []
        try await rig.running { [tasks] in
            for task in tasks { _ = try await rig.runs(of: task.id) { $0.first?.status == .succeeded } }
        }
        for task in tasks {
            let run = try #require(try await rig.store.queue.runs(.init(taskId: task.id)).items.first)
            intervals.append((run.output["result"]!["began"]!.doubleValue!, run.output["result"]!["ended"]!.doubleValue!))
        }
        intervals.sort { $0.0 < $1.0 }
        for (earlier, later) in zip(intervals, intervals.dropFirst()) { #expect(earlier.1 <= later.0) }
        await rig.store.database.close()
    }

    @Test func aOneOffTaskFiresOnceAtItsTime() async throws {
        let rig = try await SchedulerRig()
        let at = isoTime(StoreCore.systemClock() + 300)
        let task = try await rig.create(["schedule_kind": "once", "schedule_expr": .string(at),
                                         "payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 1]]]]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.first?.status == .succeeded }
        }
        #expect(runs.count == 1 && runs[0].trigger == .schedule)
        #expect(try await rig.store.tasks.task(id: task.id).nextRunAt == nil)
        await rig.store.database.close()
    }
}

@Suite("Misfire policy")
struct MisfireTests {
    let cron = try! Schedule(kind: .cron, expression: "0 * * * *", timezone: "UTC", dtstart: 0)
    let hour: Int64 = 3_600_000

    func task(due: Int64) -> TaskRecord {
        TaskRecord(id: "t", title: "t", createdBy: "t", scheduleKind: .cron, scheduleExpr: "0 * * * *", payload: [:], createdAt: 0, nextRunAt: due)
    }

    @Test func onTimeFiresAtTheScheduledTimeAndMovesToTheNext() {
        let firing = cron.firing(task: task(due: 10 * hour), now: 10 * hour + 500, policy: .runOnce, grace: 60_000)
        #expect(firing.fires == [10 * hour] && firing.next == 11 * hour)
    }

    @Test func missedHoursRunOnceByDefault() {
        let firing = cron.firing(task: task(due: 10 * hour), now: 15 * hour + 1_000, policy: .runOnce, grace: 60_000)
        #expect(firing.fires == [15 * hour + 1_000] && firing.next == 16 * hour)
    }

    @Test func skipDropsMissedTimes() {
        let firing = cron.firing(task: task(due: 10 * hour), now: 15 * hour + 1_000, policy: .skip, grace: 60_000)
        #expect(firing.fires.isEmpty && firing.next == 16 * hour)
    }

    @Test func runAllRunsEveryMissedTime() {
        let firing = cron.firing(task: task(due: 10 * hour), now: 15 * hour + 1_000, policy: .runAll, grace: 60_000)
        #expect(firing.fires == [10, 11, 12, 13, 14, 15].map { $0 * hour } && firing.next == 16 * hour)
    }

    @Test func aOneOffMissedDuringDowntimeStillRuns() throws {
        let once = try Schedule(kind: .once, expression: "2025-01-01T00:00:00Z", timezone: "UTC", dtstart: 0)
        let firing = once.firing(task: task(due: 1_735_689_600_000), now: 1_735_689_600_000 + 86_400_000, policy: .skip, grace: 60_000)
        #expect(firing.fires == [1_735_689_600_000] && firing.next == nil)
    }
}
