import Foundation
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautMCP
import OrdinautRedis
import OrdinautWebhooks
import Synchronization

/// Runs `operation` from `concurrency` tasks for `seconds`; returns completed operations per second.
/// Any failure ends the run and is reported instead.
func throughput(concurrency: Int, seconds: Double, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Double {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    let start = ContinuousClock.now
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var done = 0
                while ContinuousClock.now < deadline {
                    try await operation()
                    done += 1
                }
                return done
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - start
    return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// `OrdinautBench redis URL CONCURRENCY SECONDS`: events published per second through the Redis bus,
/// with CONCURRENCY publishers (the pipelining depth the executor sees).
func benchRedis(_ arguments: [String]) async throws {
    let concurrency = Int(arguments[3])!, seconds = Double(arguments[4])!
    let bus = try RedisEventBus(configuration: .init(url: try RedisURL(arguments[2])))
    let payload: JSONValue = ["text": "0123456789abcdefghijklmnopqrstuvwxyz"]
    let rate = try await throughput(concurrency: concurrency, seconds: seconds) {
        _ = try await bus.publish(source: "bench", namespace: "events", name: "publish", payload: payload)
    }
    print(#"{"label":"redis publish","ops_per_s":\#(String(format: "%.0f", rate)),"concurrency":\#(concurrency)}"#)
}

/// `OrdinautBench webhook URL CONCURRENCY SECONDS`: webhook tool calls per second (GET URL) from
/// CONCURRENCY callers, each a whole stateless `tools/call` through the engine.
func benchWebhook(_ arguments: [String]) async throws {
    let concurrency = Int(arguments[3])!, seconds = Double(arguments[4])!
    let client = CurlClient()
    // One caller is one principal: the default per-principal limits would measure themselves.
    let server = MCPServer(configuration: .init(rateLimits: .unlimited))
    try server.tools.register(try WebhookTool.make(
        name: "hook", request: WebhookRequest(url: arguments[2], method: "GET", timeout: .seconds(10)), client: client))
    let connection = MCPConnection(server: server, kind: .httpStateless)
    let request = JSONRPCRequest(id: .number(1), method: "tools/call", params: [
        "name": "hook", "arguments": [:],
        "_meta": ["io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": [:]],
    ])
    let rate = try await throughput(concurrency: concurrency, seconds: seconds) {
        let response = await connection.handle(.request(request), stream: DiscardingSink(), principal: .local)
        guard case .success(let result)? = response?.outcome, result["isError"] == nil else {
            throw ToolError("webhook call failed: \(String(describing: response?.json))")
        }
    }
    client.shutdown()
    print(#"{"label":"webhook tool call","ops_per_s":\#(String(format: "%.0f", rate)),"concurrency":\#(concurrency)}"#)
}
