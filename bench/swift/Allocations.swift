// The in-process workloads of `make bench-check` (bench/check/run.py): each does its operation
// WARMUP times, then marks the allocation counter (bench/check/alloccount.c, preloaded), does it
// COUNT times and marks again. Not a test; prints nothing on success.
import Foundation
import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import OrdinautStore

/// `alloc MODE COUNT`: MODE is `call` (a typed in-process tool call), `engine` (a stateless
/// JSON-RPC `tools/call` decoded, handled and encoded in process) or `run` (a one-step scheduled
/// run on SQLite, from claim to record).
func benchAllocations(_ arguments: [String]) async throws {
    let count = Int(arguments[3])!
    let warmup = max(1, count / 10)
    switch arguments[2] {
    case "call":
        let caller = ToolCaller(server: try echoServer(), clientName: "bench")
        let operation: @Sendable () async throws -> Void = {
            let outcome = await caller.call("echo", arguments: ["text": "0123456789abcdefghijklmnopqrstuvwxyz"], as: .local)
            guard case .result = outcome else { throw ToolError("the echo call ended with \(outcome)") }
        }
        try await marked(warmup: warmup, count: count, operation)
    case "engine":
        let connection = MCPConnection(server: try echoServer(), kind: .httpStateless)
        try await marked(warmup: warmup, count: count) {
            guard case .success(let message) = JSONRPCMessage.decode(statelessEchoCall) else { throw ToolError("decode") }
            let response = await connection.handle(message, stream: DiscardingSink(), principal: .local)
            guard response?.json.encoded().isEmpty == false else { throw ToolError("no response") }
        }
    case "run":
        try await markedRuns(warmup: warmup, count: count)
    default:
        throw ToolError("unknown mode \(arguments[2]): call, engine or run")
    }
}

/// The body `bench/wrk/stateless_call.lua` sends.
private let statelessEchoCall = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#.utf8)

private func echoServer() throws -> MCPServer {
    let server = MCPServer(configuration: .init(rateLimits: .unlimited))
    try server.tools.register(Tool(name: "echo", inputSchema: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]) { arguments, _ in
        .text(arguments["text"]?.stringValue ?? "")
    })
    return server
}

/// Appends the counter's totals to its report (`alloccount_mark` of the preloaded library).
private func mark() {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "alloccount_mark") else {
        fatalError("the allocation counter is not preloaded (LD_PRELOAD=alloccount.so)")
    }
    unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)()
}

private func marked(warmup: Int, count: Int, _ operation: @Sendable () async throws -> Void) async throws {
    for _ in 0..<warmup { try await operation() }
    mark()
    for _ in 0..<count { try await operation() }
    mark()
}

/// Runs of a one-step pipeline by one worker, each enqueued, claimed, executed and recorded:
/// WARMUP runs, the mark, COUNT runs, the mark.
private func markedRuns(warmup: Int, count: Int) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ordinaut-alloc-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (bench, log) = try await BenchScheduler.make("sqlite:\(directory)/runs.db", workers: 1, claimBatch: 1)
    let task = benchTask(bench.store, title: "allocations")
    try await bench.store.tasks.create(task, actor: "bench")
    try await bench.run {
        for (round, runs) in [warmup, count].enumerated() {
            let target = log.count + runs
            // Enqueueing is part of a run's path, and the worker may start before the loop ends.
            if round == 1 { mark() }
            for _ in 0..<runs { _ = try await bench.store.queue.enqueue(taskId: task.id, trigger: .manual, actor: "bench") }
            bench.store.doorbell.ring()
            while log.count < target { try await Task.sleep(for: .milliseconds(5)) }
            while try await bench.store.queue.runs(.init(status: .running, limit: 1)).items.count > 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        mark()
    }
    await bench.store.database.close()
}
