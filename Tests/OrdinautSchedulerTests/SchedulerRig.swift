import Foundation
import Logging
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautMCP
import OrdinautScheduler
import OrdinautStore
import ServiceLifecycle
import Synchronization

/// A scheduler with real workers over a real store, and tools that compute, fail on demand and take time.
final class SchedulerRig: Sendable {
    let server: MCPServer
    let store: TaskStore
    let service: TaskService
    let bus: InProcessEventBus
    let calls = Box<[String: Int]>([:])
    let observed = ObservedScheduler()

    /// - Parameter clock: the store's clock, which leases and due times follow; real time when nil.
    init(backend: Backend = .sqlite, clock: TestClock? = nil, configure: (inout SchedulerConfiguration) -> Void = { _ in }) async throws {
        server = MCPServer()
        store = try await backend.makeStore(clock: clock)
        bus = InProcessEventBus(limits: { var limits = EventLimits(); limits.retention = 100; return limits }(), logger: Logger(label: "test"))
        var configuration = SchedulerConfiguration(nodeID: "test-\(UUID().uuidString.prefix(6))")
        configuration.retryBaseSeconds = 0.01
        configuration.retryCapSeconds = 0.05
        configuration.pollMilliseconds = 50
        configure(&configuration)
        service = TaskService(store: store, server: server, bus: bus, configuration: configuration, observer: observed)
        try TaskTools.register(service)
        try registerTools()
    }

    private func registerTools() throws {
        let calls = self.calls
        try server.tools.register(Tool(
            name: "add", inputSchema: ["type": "object", "required": ["a", "b"], "additionalProperties": false,
                                       "properties": ["a": ["type": "number"], "b": ["type": "number"]]],
            outputSchema: ["type": "object", "required": ["sum"], "properties": ["sum": ["type": "number"]]]
        ) { arguments, _ in
            let sum = (arguments["a"]?.doubleValue ?? 0) + (arguments["b"]?.doubleValue ?? 0)
            return .structured(["sum": sum == sum.rounded() ? .integer(Int64(sum)) : .number(sum)])
        })
        try server.tools.register(Tool(
            name: "flaky", inputSchema: ["type": "object", "required": ["key", "failures"],
                                         "properties": ["key": ["type": "string"], "failures": ["type": "integer"]]]
        ) { arguments, context in
            let key = arguments["key"]!.stringValue!
            var count = 0
            calls.update { count = ($0[key] ?? 0) + 1; $0[key] = count }
            if count <= Int(arguments["failures"]!.integerValue!) { throw ToolError("failure \(count) of \(key)") }
            return .structured(["calls": .integer(Int64(count)), "meta": context.meta["io.ordinaut/run"] ?? .null])
        })
        try server.tools.register(Tool(
            name: "blob", inputSchema: ["type": "object", "required": ["bytes"], "properties": ["bytes": ["type": "integer"]]]
        ) { arguments, _ in
            .structured(["text": .string(String(repeating: "x", count: Int(arguments["bytes"]!.integerValue!)))])
        })
        try server.tools.register(Tool(
            name: "slow", inputSchema: ["type": "object", "required": ["ms"], "properties": ["ms": ["type": "integer"], "tag": ["type": "string"]]]
        ) { arguments, _ in
            let began = Date().timeIntervalSince1970
            try await Task.sleep(for: .milliseconds(arguments["ms"]!.integerValue!))
            return .structured(["began": .number(began), "ended": .number(Date().timeIntervalSince1970), "tag": arguments["tag"] ?? .null])
        })
    }

    /// Runs the scheduler and workers while `body` runs.
    func running<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: SchedulerLoop(service: service, logger: logger)), .init(service: WorkerPool(service: service, logger: logger))],
            logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            let value = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.next()
            return value
        }
    }

    func create(_ fields: JSONObject) async throws -> TaskRecord {
        var fields = fields
        if fields["title"] == nil { fields["title"] = "test" }
        if fields["schedule_kind"] == nil {
            fields["schedule_kind"] = "once"
            fields["schedule_expr"] = "2020-01-01T00:00:00Z"
        }
        return try await service.create(fields, principal: Principal(subject: "tests", displayName: "tests", scopes: .all, method: .local))
    }

    /// Waits until `condition` holds for the task's runs (no timing threshold: a generous bound only
    /// ends a hung test).
    func runs(of taskID: String, until condition: ([RunRecord]) -> Bool) async throws -> [RunRecord] {
        for _ in 0..<3000 {
            let runs = try await store.queue.runs(.init(taskId: taskID, limit: 500)).items.reversed()
            if condition(Array(runs)) { return Array(runs) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RigTimeout()
    }
}

struct RigTimeout: Error {}

/// What the scheduler reported to its observer.
final class ObservedScheduler: SchedulerObserver {
    let runs = Box<[String]>([])
    let steps = Box<[String]>([])
    let refusals = Box<[String]>([])
    let starts = Box<[String]>([])
    /// The thread each start was reported on.
    let startThreads = Box<[pthread_t]>([])
    let renewals = Box<[Bool]>([])
    let leading = Box<[Bool]>([])
    let stops = Box<Int>(0)

    func runStarted(trigger: String, waited: Duration, takeover: Bool) {
        starts.update { $0.append(takeover ? "\(trigger):takeover" : trigger) }
        startThreads.update { $0.append(pthread_self()) }
    }
    func leaseRenewed(held: Bool) { renewals.update { $0.append(held) } }
    func workersBusy(_ busy: Int, capacity: Int) {}
    func leadership(node: String, leading: Bool) { self.leading.update { $0.append(leading) } }
    func runFinished(outcome: String, duration: Duration) { runs.update { $0.append(outcome) } }
    func stepFinished(tool: String, outcome: String, duration: Duration) { steps.update { $0.append("\(tool):\(outcome)") } }
    func triggerRefused(reason: String) { refusals.update { $0.append(reason) } }
    func taskStopped() { stops.update { $0 += 1 } }
}

