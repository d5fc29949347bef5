import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import Synchronization

/// Calls tools for pipeline steps through the engine's own `tools/call`, exactly as an MCP client's
/// request is served: the same registry, argument validation, output validation and metrics.
public final class ToolInvoker: Sendable {
    public enum Outcome: Sendable {
        /// The tool's result (`structuredContent`, else its text parsed as JSON when it is JSON, else the text).
        case success(JSONValue)
        /// Failed; `permanent` failures (bad arguments, unknown tool) are not retried.
        case failure(String, permanent: Bool)
    }

    public let server: MCPServer
    private let connection: MCPConnection
    private let nextID = Mutex(0)

    public init(server: MCPServer) {
        self.server = server
        connection = MCPConnection(server: server, kind: .httpStateless)
    }

    /// Calls tool `name` as `principal` (a scheduled run acts as its task's creator).
    public func call(_ name: String, arguments: JSONValue, meta: JSONObject, as principal: Principal) async -> Outcome {
        if !server.tools.contains(name) { return .failure("no tool named \"\(name)\"", permanent: true) }
        if let problem = server.tools.problem(with: arguments, for: name) {
            return .failure("arguments for \(name) do not match its input schema: \(problem)", permanent: true)
        }
        var fullMeta: JSONObject = [
            ProtocolVersion.MetaKey.protocolVersion: .string(ProtocolVersion.latestStateless),
            ProtocolVersion.MetaKey.clientCapabilities: [:],
            ProtocolVersion.MetaKey.clientInfo: ["name": "ordinaut-scheduler", "version": "1"],
        ]
        for (key, value) in meta { fullMeta[key] = value }
        let id = nextID.withLock { value -> Int64 in
            value += 1
            return Int64(value)
        }
        let request = JSONRPCRequest(id: .number(id), method: "tools/call",
                                     params: ["name": .string(name), "arguments": arguments, "_meta": .object(fullMeta)])
        guard let response = await connection.handle(.request(request), stream: NoStream(), principal: principal) else {
            return .failure("the call of \(name) was cancelled", permanent: false)
        }
        switch response.outcome {
        case .failure(let error):
            return .failure("\(name): \(error.message)", permanent: error.code == RPCError.invalidParamsCode || error.code == RPCError.insufficientScopeCode)
        case .success(let json):
            if json["resultType"] == "input_required" {
                return .failure("\(name) asked for input, which a scheduled run cannot give", permanent: true)
            }
            switch ToolResult.decode(json) {
            case .failure(let error):
                return .failure("\(name) returned a malformed result: \(error.message)", permanent: false)
            case .success(let result):
                if result.isError {
                    let text = result.content.compactMap(\.plainText).joined(separator: "\n")
                    return .failure("\(name) failed: \(text.isEmpty ? "no message" : String(text.prefix(2000)))", permanent: false)
                }
                return .success(Self.value(of: result))
            }
        }
    }

    static func value(of result: ToolResult) -> JSONValue {
        if let structured = result.structuredContent { return structured }
        let texts = result.content.compactMap(\.plainText)
        guard texts.count == 1 else { return .array(result.content.map(\.json)) }
        if let parsed = try? JSONParser().parse(texts[0]), parsed.objectValue != nil || parsed.arrayValue != nil { return parsed }
        return .string(texts[0])
    }
}

/// Scheduled calls have no client to stream notifications to.
private struct NoStream: MessageSink {
    func send(_ message: JSONValue) async {}
    var discardsMessages: Bool { true }
}

extension Content {
    var plainText: String? {
        if case .text(let text, _) = self { return text }
        return nil
    }
}
