import Foundation
import OrdinautCore
import OrdinautMCP
import OrdinautStore
import Testing

/// The workers claim and record on the database's thread (SQLite), and run pipelines elsewhere: a
/// pipeline that computes must never hold up the transactions of everyone else.
@Suite struct WorkerThreadsTests {
    @Test func pipelinesRunOffTheDatabasesThreadWhileClaimingRunsOnIt() async throws {
        let rig = try await SchedulerRig()
        let toolThreads = Box<[pthread_t]>([])
        try rig.server.tools.register(Tool(name: "where", inputSchema: ["type": "object"]) { _, _ in
            toolThreads.update { $0.append(threadOfCaller()) }
            return .text("here")
        })
        let databaseThread = try await rig.store.database.autocommit { _ throws(StoreError) in pthread_self() }
        var tasks: [TaskRecord] = []
        for _ in 0..<3 { tasks.append(try await rig.create(["payload": ["pipeline": [["uses": "where"]]]])) }
        try await rig.running { [tasks] in
            for task in tasks { _ = try await rig.runs(of: task.id) { $0.last?.status == .succeeded } }
        }
        await rig.store.database.close()
        #expect(toolThreads.value.count == 3)
        #expect(!toolThreads.value.contains(databaseThread))
        #expect(rig.observed.runs.value == ["succeeded", "succeeded", "succeeded"])
        // Runs are started (claimed) on the database's thread.
        #expect(rig.observed.startThreads.value == [databaseThread, databaseThread, databaseThread])
    }
}

extension WorkerThreadsTests {
    /// The database closing under running workers (a shutdown in the wrong order, a dead file
    /// system) must not strand the tasks that ran on its thread: they go on elsewhere, fail their
    /// claims and stop when asked.
    @Test(.timeLimit(.minutes(1))) func workersOnAClosedDatabasesThreadStillStop() async throws {
        let rig = try await SchedulerRig()
        let task = try await rig.create(["payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 2]]]]])
        let stopped = try await rig.running {
            _ = try await rig.runs(of: task.id) { $0.last?.status == .succeeded }
            await rig.store.database.close()
            // The claim loop polls every 50 ms: let it meet the closed database a few times.
            try await Task.sleep(for: .milliseconds(200))
            return true
        }
        #expect(stopped)
        await #expect(throws: StoreError.self) { try await rig.store.queue.runs(.init(taskId: task.id)) }
    }
}

/// The thread the caller runs on, read in synchronous code.
private func threadOfCaller() -> pthread_t {
    pthread_self()
}
