// W6/W7 of ../shared/BENCHMARKS.md: the scheduler's store and workers, timed in process against
// SQLite or PostgreSQL. Each mode prints one JSON object. Run by bench/scheduler.sh; not a test.
import Foundation
import Logging
import OrdinautCore
import OrdinautMCP
import OrdinautPostgres
import OrdinautScheduler
import OrdinautSQLite
import OrdinautStore
import ServiceLifecycle
import Synchronization

func openBenchStore(_ url: String) async throws -> TaskStore {
    let database: any SQLDatabase
    if url.hasPrefix("sqlite:") {
        let synchronous = SQLiteDatabase.Synchronous(rawValue: ProcessInfo.processInfo.environment["SYNCHRONOUS"] ?? "NORMAL") ?? .normal
        database = try SQLiteDatabase(path: String(url.dropFirst(7)), synchronous: synchronous)
    } else {
        database = try PostgresDatabase(url: url, poolSize: Int(ProcessInfo.processInfo.environment["POOL"] ?? "8") ?? 8)
    }
    let store = TaskStore(database: database)
    try await store.migrate()
    return store
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func benchTask(_ store: TaskStore, title: String, nextRunAt: Int64? = nil) -> TaskRecord {
    TaskRecord(id: UUIDv7.make(), title: title, createdBy: "bench", scheduleKind: .once, scheduleExpr: "2099-01-01T00:00:00Z",
               payload: ["pipeline": [["uses": "echo", "with": ["text": "x"]]]], createdAt: store.clock(), nextRunAt: nextRunAt)
}

/// `store URL JOBS BATCH CLAIMERS`: JOBS due items enqueued, then CLAIMERS concurrent loops claim
/// BATCH at a time and record them as succeeded (a run row and audit lines each; a batch in one
/// transaction). Claim + complete
/// per second, as the store does it for the workers, without executing pipelines.
func benchStoreThroughput(_ arguments: [String]) async throws {
    let store = try await openBenchStore(arguments[2])
    let jobs = Int(arguments[3])!, batch = Int(arguments[4])!, claimers = Int(arguments[5])!
    let task = benchTask(store, title: "throughput")
    try await store.tasks.create(task, actor: "bench")
    try await store.database.transaction { connection throws(StoreError) in
        for _ in 0..<jobs {
            try connection.execute(
                "INSERT INTO due_work (task_id, run_at, priority, attempt, trigger_kind, context, created_at) VALUES ($1, 0, 5, 1, 'manual', '{}', 0)",
                .text(task.id))
        }
    }
    let cpu = cpuSeconds()
    let began = ContinuousClock.now
    // As the workers claim and record: on the database's executor.
    try await withTaskExecutorPreference(store.database.executor) { try await claimLoops(store, batch: batch, claimers: claimers) }
    let seconds = Double((ContinuousClock.now - began).components.attoseconds) / 1e18 + Double((ContinuousClock.now - began).components.seconds)
    let finished = try await store.queue.runs(.init(status: .succeeded, limit: 1)).items.count
    print(#"{"mode":"store","jobs":\#(jobs),"batch":\#(batch),"claimers":\#(claimers),"jobs_per_s":\#(Int(Double(jobs) / seconds)),"cpu_us_per_job":\#(String(format: "%.1f", (cpuSeconds() - cpu) / Double(jobs) * 1e6)),"ok":\#(finished == 1)}"#)
    await store.database.close()
}

/// CLAIMERS loops, each claiming BATCH due items at a time and recording them as succeeded, until none is left.
func claimLoops(_ store: TaskStore, batch: Int, claimers: Int) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for claimer in 0..<claimers {
            group.addTask {
                while true {
                    let claimed = try await store.queue.claim(worker: "bench\(claimer)", limit: batch, lease: 60_000)
                    if claimed.isEmpty { return }
                    if claimed.count == 1 {
                        try await store.queue.finish(claimed[0], outcome: .succeeded, output: [:])
                    } else {
                        // A batch is recorded as it was claimed: in one transaction.
                        for result in try await store.queue.finishAll(claimed.map { .init(work: $0, outcome: .succeeded, output: [:]) }) { _ = try result.get() }
                    }
                }
            }
        }
        try await group.waitForAll()
    }
}

/// A store, an engine with an `echo` tool, and the scheduler's services, for the modes below.
struct BenchScheduler {
    let store: TaskStore
    let service: TaskService

    static func make(_ url: String, workers: Int, claimBatch: Int) async throws -> (BenchScheduler, StartLog) {
        let store = try await openBenchStore(url)
        let server = MCPServer()
        let log = StartLog()
        try server.tools.register(Tool(name: "echo", inputSchema: ["type": "object", "properties": ["text": ["type": "string"]]]) { arguments, context in
            if let run = context.meta["io.ordinaut/run"]?["run_id"]?.stringValue { log.started(run) }
            return .text(arguments["text"]?.stringValue ?? "")
        })
        var configuration = SchedulerConfiguration(nodeID: "bench")
        configuration.workers = workers
        configuration.claimBatch = claimBatch
        configuration.pollMilliseconds = 1000
        let service = TaskService(store: store, server: server, bus: nil, configuration: configuration)
        return (BenchScheduler(store: store, service: service), log)
    }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: SchedulerLoop(service: service, logger: logger)), .init(service: WorkerPool(service: service, logger: logger))],
            logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let value = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.next()
            return value
        }
    }
}

/// When each run's first step started, by run id (monotonic nanoseconds).
final class StartLog: Sendable {
    private let starts = Mutex<[String: UInt64]>([:])

    func started(_ run: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        starts.withLock { $0[run] = now }
    }

    func start(of run: String) -> UInt64? { starts.withLock { $0[run] } }
    var count: Int { starts.withLock { $0.count } }
}

/// `burndown URL JOBS WORKERS BATCH`: JOBS due runs of a one-step pipeline (the `echo` tool through
/// `tools/call`) executed by the worker pool; runs per second from first claim to last finish.
func benchBurndown(_ arguments: [String]) async throws {
    let jobs = Int(arguments[3])!
    let (bench, log) = try await BenchScheduler.make(arguments[2], workers: Int(arguments[4])!, claimBatch: Int(arguments[5])!)
    let task = benchTask(bench.store, title: "burndown")
    try await bench.store.tasks.create(task, actor: "bench")
    try await bench.store.database.transaction { connection throws(StoreError) in
        for _ in 0..<jobs {
            try connection.execute(
                "INSERT INTO due_work (task_id, run_at, priority, attempt, trigger_kind, context, created_at) VALUES ($1, 0, 5, 1, 'manual', '{}', 0)",
                .text(task.id))
        }
    }
    let cpu = cpuSeconds()
    let began = ContinuousClock.now
    try await bench.run {
        bench.store.doorbell.ring()
        while try await bench.store.queue.counts().due > 0 || log.count < jobs {
            try await Task.sleep(for: .milliseconds(20))
        }
        while try await bench.store.queue.runs(.init(status: .running, limit: 1)).items.count > 0 { try await Task.sleep(for: .milliseconds(5)) }
    }
    let elapsed = ContinuousClock.now - began
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let succeeded = try await bench.store.queue.runs(.init(status: .succeeded, limit: jobs + 1)).items.count
    print(#"{"mode":"burndown","jobs":\#(jobs),"runs_per_s":\#(Int(Double(jobs) / seconds)),"cpu_us_per_run":\#(String(format: "%.1f", (cpuSeconds() - cpu) / Double(jobs) * 1e6)),"ok":\#(succeeded == jobs)}"#)
    await bench.store.database.close()
}

/// `latency URL TRIALS`: with idle workers waiting, `run_now` a task and time until its first step
/// starts (enqueue → tool call), TRIALS times; median and p95 in milliseconds.
func benchLatency(_ arguments: [String]) async throws {
    let trials = Int(arguments[3])!
    let (bench, log) = try await BenchScheduler.make(arguments[2], workers: 4, claimBatch: 4)
    let task = benchTask(bench.store, title: "latency")
    try await bench.store.tasks.create(task, actor: "bench")
    let samples: [Double] = try await bench.run {
        var samples: [Double] = []
        try await Task.sleep(for: .milliseconds(300))
        for _ in 0..<trials {
            let began = DispatchTime.now().uptimeNanoseconds
            guard let due = try await bench.store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "bench") else { continue }
            var runID: String?
            while runID == nil { runID = try await bench.store.queue.runID(ofDue: due); if runID == nil { await Task.yield() } }
            while log.start(of: runID!) == nil { try await Task.sleep(for: .microseconds(200)) }
            samples.append(Double(log.start(of: runID!)! - began) / 1e6)
            // Let the worker finish and go idle again, as a trigger would find it.
            try await Task.sleep(for: .milliseconds(20))
        }
        return samples.sorted()
    }
    print(#"{"mode":"latency","trials":\#(samples.count),"median_ms":\#(String(format: "%.2f", samples[samples.count / 2])),"p95_ms":\#(String(format: "%.2f", samples[samples.count * 95 / 100])),"min_ms":\#(String(format: "%.2f", samples[0]))}"#)
    await bench.store.database.close()
}

/// `idle URL COUNT`: the scheduler's tick (fire what is due, read the next fire time) with one due
/// task, first alone and then beside COUNT idle tasks; milliseconds per tick, median of 50.
func benchIdle(_ arguments: [String]) async throws {
    let store = try await openBenchStore(arguments[2])
    let count = Int(arguments[3])!
    func tick() async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<50 {
            let due = benchTask(store, title: "due", nextRunAt: store.clock() - 1)
            try await store.tasks.create(due, actor: "bench")
            let began = DispatchTime.now().uptimeNanoseconds
            _ = try await store.queue.fireDueTasks(limit: 500, actor: "bench") { task, _ in .init(fires: [task.nextRunAt!], next: nil) }
            _ = try await store.queue.nextFireTime()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
        }
        return samples.sorted()[samples.count / 2]
    }
    let alone = try await tick()
    let far = store.clock() + 365 * 86_400_000
    try await store.database.transaction { connection throws(StoreError) in
        let task = benchTask(store, title: "idle")
        for index in 0..<count {
            var idle = task
            idle.id = "idle-\(index)"
            idle.nextRunAt = far + Int64(index)
            try connection.execute("INSERT INTO tasks (\(TaskRows.columns)) VALUES (\(TaskRows.placeholders))", TaskRows.parameters(of: idle))
        }
    }
    let beside = try await tick()
    print(#"{"mode":"idle","idle_tasks":\#(count),"tick_ms_alone":\#(String(format: "%.3f", alone)),"tick_ms_beside_idle":\#(String(format: "%.3f", beside))}"#)
    await store.database.close()
}
