// W9 of ../shared/BENCHMARKS.md: schedule computation and JMESPath evaluation, timed in process.
// Prints one JSON object per measurement. Built by bench/run.sh in release mode; not a test.
import Foundation
import OrdinautCalendar
import OrdinautAuth
import OrdinautCore
import OrdinautJMESPath
import OrdinautMCP

// Throughput modes for the extension benchmarks (bench/extensions.sh).
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "redis" {
    try await benchRedis(CommandLine.arguments)
    exit(0)
}
switch (CommandLine.arguments.count, CommandLine.arguments.dropFirst().first) {
case (6, "store"?): try await benchStoreThroughput(CommandLine.arguments); exit(0)
case (6, "burndown"?): try await benchBurndown(CommandLine.arguments); exit(0)
case (4, "latency"?): try await benchLatency(CommandLine.arguments); exit(0)
case (4, "idle"?): try await benchIdle(CommandLine.arguments); exit(0)
case (4, "alloc"?): try await benchAllocations(CommandLine.arguments); exit(0)
default: break
}
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "webhook" {
    try await benchWebhook(CommandLine.arguments)
    exit(0)
}

func measure(_ label: String, operations: Int, repeats: Int = 3, _ body: () throws -> Int) rethrows {
    var samples: [Double] = []
    var sink = 0
    sink &+= try body()  // warm-up
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        sink &+= try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(operations))
    }
    samples.sort()
    print(#"{"label":"\#(label)","ns_per_op":\#(String(format: "%.1f", samples[samples.count / 2])),"min":\#(String(format: "%.1f", samples[0])),"max":\#(String(format: "%.1f", samples.last!)),"ops":\#(operations),"checksum":\#(sink % 1000)}"#)
}

let zone = try TimeZoneDatabase.zone("America/New_York")
// A DST week: 2025-03-06 to 2025-03-13 (New York springs forward on the 9th).
let weekStart = zone.instant(ofLocal: LocalDateTime(year: 2025, month: 3, day: 6).localSeconds)
var generator = SystemRandomNumberGenerator()
let crons = try (0..<10_000).map { _ in
    try CronExpression("\(Int.random(in: 0...59, using: &generator)) \(Int.random(in: 0...23, using: &generator)) * * \(Int.random(in: 0...6, using: &generator))")
}
let afters = (0..<10_000).map { _ in weekStart + Int.random(in: 0..<(7 * 86_400), using: &generator) }
try measure("cron next (10k expressions, DST week, New York)", operations: crons.count) {
    var total = 0
    for (cron, after) in zip(crons, afters) { total &+= try cron.next(after: after, in: zone) }
    return total
}

let rules = try (0..<10_000).map { i in
    try Recurrence(parsing: "FREQ=WEEKLY;BYDAY=\(["MO", "TU", "WE", "TH", "FR"][i % 5]);BYHOUR=\(i % 24);BYMINUTE=\(i % 60)",
                   defaultStart: LocalDateTime(year: 2024, month: 1, day: 1), zone: zone)
}
try measure("rrule next (10k weekly rules, DST week, New York)", operations: rules.count) {
    var total = 0
    for (rule, after) in zip(rules, afters) { total &+= try rule.next(after: after) ?? 0 }
    return total
}

let items: JSONValue = .array((0..<1000).map { i in ["score": .integer(Int64(i % 7)), "name": .string("item\(i)")] })
let document: JSONValue = ["steps": ["x": ["items": items]]]
let expression = try JMESPathExpression.cached("steps.x.items[?score > `3`].name")
try measure("jmespath steps.x.items[?score > `3`].name over 1,000 items (cached)", operations: 1, repeats: 200) {
    (try expression.search(document)).arrayValue?.count ?? 0
}

// The engine's share of a stateless HTTP tools/call: parse, classify, dispatch, validate, call, encode.
let server = MCPServer()
try server.tools.register(Tool(name: "echo", inputSchema: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]) { arguments, _ in
    .text(arguments["text"]?.stringValue ?? "")
})
let connection = MCPConnection(server: server, kind: .httpStateless)
let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#.utf8)
let calls = 200_000
/// Runs off the main actor, as a request handler does, so the loop measures the engine and not hops.
@concurrent func engineLoop(_ calls: Int) async -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    var bytes = 0
    for _ in 0..<calls {
        guard case .success(let message) = JSONRPCMessage.decode(body) else { fatalError("decode") }
        let response = await connection.handle(message, stream: DiscardingSink(), principal: .local)
        bytes &+= response?.json.encoded().count ?? 0
    }
    precondition(bytes > 0)
    return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls)
}
var samples: [Double] = []
for _ in 0..<4 { samples.append(await engineLoop(calls)) }
samples.removeFirst()
samples.sort()
print(#"{"label":"engine stateless tools/call (decode, handle, encode)","ns_per_op":\#(String(format: "%.1f", samples[1])),"min":\#(String(format: "%.1f", samples[0])),"max":\#(String(format: "%.1f", samples[2])),"ops":\#(calls),"checksum":0}"#)

try await benchCredentialChecks()
