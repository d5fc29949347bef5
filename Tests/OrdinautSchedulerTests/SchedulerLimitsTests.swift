import Foundation
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautJMESPath
import OrdinautScheduler
import OrdinautStore
import Testing

@Suite("Scheduler limits: evaluation budgets, output caps, event chains")
struct SchedulerLimitsTests {
    static let doubling = String(repeating: " | [@, @]", count: 40)

    @Test func aTemplateThatCanOnlyGrowIsRefusedAtCreationNamingTheField() async throws {
        let rig = try await SchedulerRig()
        await #expect {
            try await rig.create(["payload": [
                "params": ["a": 1],
                "pipeline": [["uses": "add", "with": ["a": .string("${params\(Self.doubling)}"), "b": 1]]],
            ]])
        } throws: { error in
            guard case .invalid(let error)? = error as? TaskServiceError else { return false }
            return error.field == "payload.pipeline[0].with.a" && error.message.contains("limit")
        }
        await #expect {
            try await rig.create(["schedule_kind": "condition", "schedule_expr": .string("x.* when `1`\(Self.doubling)"),
                                  "payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 1]]]]])
        } throws: { ($0 as? TaskServiceError)?.field == "schedule_expr" }
        await rig.store.database.close()
    }

    @Test func aTemplateThatGrowsOnRunDataFailsItsRunOnceNamingStepFieldAndLimit() async throws {
        let rig = try await SchedulerRig { $0.limits.evaluation.bytes = 100_000 }
        let task = try await rig.create(["max_retries": 3, "payload": ["pipeline": [
            ["id": "first", "uses": "add", "with": ["a": 1, "b": 2]],
            ["id": "second", "uses": "add", "with": ["a": .string("${steps.first\(Self.doubling)}"), "b": 1]],
        ]]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.last?.status.isFinal == true }
        }
        #expect(runs.count == 1)
        #expect(runs[0].status == .dead)
        let error = try #require(runs[0].error)
        #expect(error.contains("step second: with.a: template ${steps.first | [@, @]"))
        #expect(error.contains("bytes limit"))
        await rig.store.database.close()
    }

    @Test func aStepResultOverTheStepCapFailsAndIsNotStored() async throws {
        let rig = try await SchedulerRig { $0.limits.stepOutputBytes = 10_000 }
        let task = try await rig.create(["max_retries": 2, "payload": ["pipeline": [["id": "big", "uses": "blob", "with": ["bytes": 20_000]]]]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.last?.status.isFinal == true }
        }
        #expect(runs.map(\.status) == [.dead])
        #expect(runs[0].error?.contains("larger than 10000 bytes") == true)
        #expect(rig.observed.runs.value == ["dead"] && rig.observed.steps.value == ["blob:failed"])
        let step = try #require(runs[0].output["steps"]?.arrayValue?.first)
        #expect(step["status"] == "failed")
        #expect(step["output"] == nil)
        await rig.store.database.close()
    }

    @Test func aRunsRecordStaysUnderTheRunCap() async throws {
        let rig = try await SchedulerRig { $0.limits.runOutputBytes = 12_000 }
        let task = try await rig.create(["payload": ["pipeline": [
            ["id": "one", "uses": "blob", "with": ["bytes": 8000]],
            ["id": "two", "uses": "blob", "with": ["bytes": 8000]],
        ]]])
        let runs = try await rig.running {
            try await rig.runs(of: task.id) { $0.last?.status.isFinal == true }
        }
        #expect(runs[0].error?.contains("step two: its result would take the run's record past 12000 bytes") == true)
        let steps = try #require(runs[0].output["steps"]?.arrayValue)
        #expect(steps.map { $0["status"] } == ["succeeded", "failed"])
        await rig.store.database.close()
    }

    @Test func aTaskThatTriggersItselfStopsAtTheDepthLimit() async throws {
        let rig = try await SchedulerRig {
            $0.limits.eventDepth = 3
            $0.limits.eventRuns = nil
        }
        let task = try await rig.create([
            "schedule_kind": "event", "schedule_expr": "loop.*",
            "payload": ["pipeline": [["uses": "event_publish", "with": ["topic": "loop.again", "payload": ["n": 1]]]]],
        ])
        _ = try await rig.service.publish(topic: "loop.start", payload: [:], actor: "t")
        let refusals = try await rig.running { () async throws -> [AuditEntry] in
            for _ in 0..<3000 {
                let entries = try await rig.store.audit.search(.init(action: "task.trigger_refused", taskId: task.id)).items
                if !entries.isEmpty { return entries }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw RigTimeout()
        }
        #expect(refusals.first?.details["limit"] == "depth")
        #expect(refusals.first?.details["causation"]?["depth"] == 3)
        let runs = try await rig.store.queue.runs(.init(taskId: task.id, limit: 100)).items
        #expect(runs.count == 3)
        let depths: [Int64] = runs.map { $0.context["event"]?["causation"]?["depth"]?.integerValue ?? 0 }
        #expect(depths.sorted() == [0, 1, 2])
        await rig.store.database.close()
    }

    @Test func aTaskStartsNoMoreRunsFromEventsThanItsRate() async throws {
        let rig = try await SchedulerRig { $0.limits.eventRuns = .init(rate: 0.001, burst: 2) }
        let task = try await rig.create([
            "schedule_kind": "event", "schedule_expr": "burst.*",
            "payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 1]]]],
        ])
        var fired: [[String]] = []
        for index in 0..<5 { fired.append(try await rig.service.publish(topic: "burst.\(index)", payload: [:], actor: "t").triggered) }
        #expect(fired.map(\.count) == [1, 1, 0, 0, 0])
        let refusals = try await rig.store.audit.search(.init(action: "task.trigger_refused", taskId: task.id)).items
        #expect(refusals.count == 1)  // reported once a minute, counted every time
        #expect(refusals.first?.details["limit"] == "rate")
        #expect(rig.observed.refusals.value == ["rate", "rate", "rate"])
        await rig.store.database.close()
    }
}
