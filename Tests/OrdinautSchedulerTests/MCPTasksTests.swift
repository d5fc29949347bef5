import Foundation
import OrdinautCore
import OrdinautMCP
import OrdinautScheduler
import OrdinautStore
import OrdinautTesting
import Testing

/// MCP tasks backed by durable runs: the 2026-07-28 extension and the 2025-11-25 experimental form.
@Suite("MCP tasks")
struct MCPTasksTests {
    static let tasksCapability: JSONObject = ["extensions": [TasksExtension.identifier: [:]]]

    static func result(_ response: JSONRPCResponse?) throws -> JSONValue {
        switch try #require(response).outcome {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }

    func rig() async throws -> SchedulerRig {
        let rig = try await SchedulerRig()
        rig.service.serveMCPTasks()
        return rig
    }

    func poll(_ client: TestClient, _ id: String, until status: String) async throws -> JSONValue {
        for _ in 0..<3000 {
            let task = try Self.result(await client.statelessRequest("tasks/get", ["taskId": .string(id)], capabilities: Self.tasksCapability))
            if task["status"] == .string(status) { return task }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RigTimeout()
    }

    @Test func aRunNowBecomesATaskWhoseResultIsTheRun() async throws {
        let rig = try await rig()
        let task = try await rig.create(["payload": ["pipeline": [["uses": "add", "with": ["a": 20, "b": 22]]]]])
        let client = TestClient(server: rig.server, kind: .httpStateless)
        let discover = try Self.result(await client.statelessRequest("server/discover"))
        #expect(discover["capabilities"]?["extensions"]?[TasksExtension.identifier] != nil)

        let plain = try Self.result(await client.statelessRequest("tools/call", ["name": "task_run_now", "arguments": ["id": .string(task.id)]]))
        #expect(plain["resultType"] == "complete" && plain["structuredContent"]?["queued"] == true, "no task without the extension")

        let created = try Self.result(await client.statelessRequest(
            "tools/call", ["name": "task_run_now", "arguments": ["id": .string(task.id)]], capabilities: Self.tasksCapability))
        #expect(created["resultType"] == "task")
        let id = try #require(created["taskId"]?.stringValue)
        #expect(created["status"] == "working" && created["ttlMs"]?.integerValue == MCPTaskService.ttlMs)
        let done = try await rig.running { try await poll(client, id, until: "completed") }
        #expect(done["result"]?["structuredContent"]?["run"]?["status"] == "succeeded")
        #expect(done["result"]?["structuredContent"]?["run"]?["output"]?["result"] == ["sum": 42])
        #expect(done["result"]?["isError"] != true)
        await rig.store.database.close()
    }

    @Test func anApprovalIsAnInputRequestAnsweredByTasksUpdate() async throws {
        let rig = try await rig()
        let task = try await rig.create(["payload": ["pipeline": [
            ["id": "ok", "uses": "ordinaut.approval", "with": ["prompt": "Go?"]],
            ["uses": "add", "if": "steps.ok.approved", "with": ["a": 1, "b": 1]],
        ]]])
        let client = TestClient(server: rig.server, kind: .httpStateless)
        let created = try Self.result(await client.statelessRequest(
            "tools/call", ["name": "task_run_now", "arguments": ["id": .string(task.id)]], capabilities: Self.tasksCapability))
        let id = try #require(created["taskId"]?.stringValue)
        let done = try await rig.running { () async throws -> JSONValue in
            let asking = try await poll(client, id, until: "input_required")
            let request = try #require(asking["inputRequests"]?["approval"])
            #expect(request["method"] == "elicitation/create" && request["params"]?["message"] == "Go?")
            let ack = try Self.result(await client.statelessRequest("tasks/update", [
                "taskId": .string(id), "inputResponses": ["approval": ["action": "accept", "content": ["approved": true]], "unknown": [:]],
            ], capabilities: Self.tasksCapability))
            #expect(ack["resultType"] == "complete")
            return try await poll(client, id, until: "completed")
        }
        #expect(done["result"]?["structuredContent"]?["run"]?["output"]?["result"] == ["sum": 2])
        await rig.store.database.close()
    }

    @Test func cancellingAWaitingTaskEndsItsRun() async throws {
        let rig = try await rig()
        let task = try await rig.create(["schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
                                         "payload": ["pipeline": [["id": "ok", "uses": "ordinaut.approval", "with": [:]]]]])
        let client = TestClient(server: rig.server, kind: .httpStateless)
        let created = try Self.result(await client.statelessRequest(
            "tools/call", ["name": "task_run_now", "arguments": ["id": .string(task.id)]], capabilities: Self.tasksCapability))
        let id = try #require(created["taskId"]?.stringValue)
        try await rig.running {
            _ = try await poll(client, id, until: "input_required")
            let ack = try Self.result(await client.statelessRequest("tasks/cancel", ["taskId": .string(id)], capabilities: Self.tasksCapability))
            #expect(ack["resultType"] == "complete")
            _ = try await poll(client, id, until: "cancelled")
        }
        #expect(try await rig.store.queue.runs(.init(taskId: task.id)).items.map(\.status) == [.canceled])
        let unknown = await client.statelessRequest("tasks/get", ["taskId": "nope"], capabilities: Self.tasksCapability)
        #expect(throws: RPCError.self) { try Self.result(unknown) }
        await rig.store.database.close()
    }

    @Test func listenersReceiveTheDetailedTaskWhenItChanges() async throws {
        let rig = try await rig()
        let task = try await rig.create(["payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 2]]]]])
        let client = TestClient(server: rig.server, kind: .httpStateless)
        let created = try Self.result(await client.statelessRequest(
            "tools/call", ["name": "task_run_now", "arguments": ["id": .string(task.id)]], capabilities: Self.tasksCapability))
        let id = try #require(created["taskId"]?.stringValue)
        let listener = TestClient(server: rig.server, kind: .stdio)
        let listen = Task {
            await listener.statelessRequest("subscriptions/listen", ["notifications": ["taskIds": [.string(id), "unknown"]]],
                                            capabilities: Self.tasksCapability)
        }
        let notification: JSONValue = try await rig.running {
            // A generous bound only ends a hung test.
            try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                group.addTask {
                    while let message = await listener.received.receive() {
                        if message["method"] == "notifications/tasks" && message["params"]?["status"] == "completed" { return message }
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    return nil
                }
                defer { group.cancelAll() }
                guard let found = try await group.next() ?? nil else { throw RigTimeout() }
                return found
            }
        }
        listen.cancel()
        #expect(notification["params"]?["taskId"] == .string(id))
        #expect(notification["params"]?["result"]?["structuredContent"]?["run"]?["status"] == "succeeded")
        await rig.store.database.close()
    }

    @Test func aClientWithoutTheTasksExtensionGetsMissingCapability() async throws {
        let rig = try await rig()
        let task = try await rig.create(["payload": ["pipeline": [["uses": "add", "with": ["a": 1, "b": 1]]]]])
        let client = TestClient(server: rig.server, kind: .httpStateless)
        let created = try Self.result(await client.statelessRequest(
            "tools/call", ["name": "task_run_now", "arguments": ["id": .string(task.id)]], capabilities: Self.tasksCapability))
        let id = try #require(created["taskId"]?.stringValue)
        for (method, params) in [("tasks/get", ["taskId": JSONValue.string(id)]), ("tasks/cancel", ["taskId": .string(id)]),
                                 ("tasks/update", ["taskId": .string(id), "inputResponses": [:]]),
                                 ("subscriptions/listen", ["notifications": ["taskIds": [.string(id)]]])] as [(String, JSONObject)] {
            let refused = await client.statelessRequest(method, params)
            #expect(refused?.error?.code == -32021, "\(method)")
            #expect(refused?.error?.data?["requiredCapabilities"]?["extensions"]?[TasksExtension.identifier] != nil, "\(method)")
        }
        await rig.store.database.close()
    }

    @Test func sessionClientsUseTheExperimentalForm() async throws {
        let rig = try await rig()
        let task = try await rig.create(["payload": ["pipeline": [["uses": "add", "with": ["a": 2, "b": 2]]]]])
        let client = TestClient(server: rig.server, kind: .stdio)
        let initialized = try Self.result(await client.initialize(version: "2025-11-25"))
        #expect(initialized["capabilities"]?["tasks"]?["requests"]?["tools"]?["call"] != nil)
        let tools = try Self.result(await client.request("tools/list"))
        let runNow = tools["tools"]?.arrayValue?.first { $0["name"] == "task_run_now" }
        #expect(runNow?["execution"]?["taskSupport"] == "optional")
        let refused = await client.request("tools/call", ["name": "task_list", "arguments": [:], "task": ["ttl": 1000]])
        #expect(throws: RPCError.self) { try Self.result(refused) }

        let created = try Self.result(await client.request("tools/call", [
            "name": "task_run_now", "arguments": ["id": .string(task.id)], "task": ["ttl": 60000],
        ]))
        let id = try #require(created["task"]?["taskId"]?.stringValue)
        #expect(created["task"]?["status"] == "working" && created["task"]?["ttl"] != nil)
        let result = try await rig.running { try Self.result(await client.request("tasks/result", ["taskId": .string(id)])) }
        #expect(result["structuredContent"]?["run"]?["status"] == "succeeded")
        #expect(result["_meta"]?["io.modelcontextprotocol/related-task"]?["taskId"] == .string(id))
        let listed = try Self.result(await client.request("tasks/list"))
        #expect(listed["tasks"]?.arrayValue?.map { $0["taskId"] } == [.string(id)])
        let other = TestClient(server: rig.server, kind: .stdio)
        _ = await other.initialize(version: "2025-11-25")
        #expect(try Self.result(await other.request("tasks/list"))["tasks"] == [], "another session sees none of them")
        let again = await client.request("tasks/cancel", ["taskId": .string(id)])
        #expect(throws: RPCError.self) { try Self.result(again) }
        await rig.store.database.close()
    }
}
