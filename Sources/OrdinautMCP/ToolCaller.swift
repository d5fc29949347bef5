import OrdinautAuth
import OrdinautCore
import OrdinautJSONSchema
import Synchronization

/// Calls tools in process: the one typed entry point for callers that are not MCP clients
/// (scheduled runs, the command line, extension tests). A call goes through everything an MCP
/// client's `tools/call` goes through — the registry, the principal's scope, the rate limit,
/// argument and output validation, metrics — with no JSON-RPC encoding in between. Calls are
/// stateless-era requests with no client capabilities: a tool that asks for input ends with
/// `.inputRequired`.
public final class ToolCaller: Sendable {
    public let server: MCPServer
    private let connection: MCPConnection
    private let clientInfo: JSONValue
    private let notifications: any MessageSink
    private let nextID = Atomic<Int64>(0)

    /// - Parameters:
    ///   - clientName: how the calls describe their client to tools (`clientInfo.name`).
    ///   - notifications: where progress and other notifications the tools send go; dropped by default.
    public init(server: MCPServer, clientName: String, clientVersion: String = "1", notifications: (any MessageSink)? = nil) {
        self.server = server
        connection = MCPConnection(server: server, kind: .httpStateless)
        clientInfo = ["name": .string(clientName), "version": .string(clientVersion)]
        self.notifications = notifications ?? DiscardingSink()
    }

    /// Calls tool `name` (either spelling) with `arguments` as `principal`; `meta` is the request's
    /// `_meta` the tool sees (run ids, causation, progress token).
    public func call(_ name: String, arguments: JSONObject, as principal: Principal, meta: JSONObject = [:]) async -> ToolOutcome {
        await server.surfaceGate.pass()
        guard let entry = server.tools.lookup(name) else { return .unknownTool(name) }
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let context = RequestContext(
            id: .number(id), principal: principal, method: CallToolMethod.name,
            era: .stateless(version: ProtocolVersion.latestStateless), clientCapabilities: [:], clientInfo: clientInfo,
            meta: meta, inputResponses: nil, taskRequest: nil, logThreshold: nil, stream: notifications, connection: connection)
        return await server.call(entry, arguments: arguments, context: context)
    }
}

extension MCPServer {
    /// Calls `entry` for `context`: scope, rate limit, arguments, the handler, its output, metrics.
    /// `tools/call` and `ToolCaller` both end here.
    func call(_ entry: RegisteredTool, arguments: JSONObject, context: RequestContext) async -> ToolOutcome {
        guard context.principal.holds(entry.scope) else {
            return .protocolError(.insufficientScope(entry.scope, operation: "tool \(entry.wireName)"))
        }
        if let limited = takeToolCall(entry, principal: context.principal) { return .protocolError(limited) }
        guard let observer = configuration.observer else { return await run(entry, arguments: arguments, context: context) }
        let began = ContinuousClock.now
        let outcome = await run(entry, arguments: arguments, context: context)
        observer.toolCallFinished(tool: entry.tool.name, outcome: outcome.label, duration: ContinuousClock.now - began)
        return outcome
    }

    private func run(_ entry: RegisteredTool, arguments: JSONObject, context: RequestContext) async -> ToolOutcome {
        if context.taskRequest != nil {
            let support = entry.tool.execution?["taskSupport"]?.stringValue
            guard support == "optional" || support == "required", taskBackend.backend != nil else {
                return .protocolError(RPCError(code: -32601, message: "tool \(entry.wireName) cannot run as a task"))
            }
        }
        let validation = entry.input.validate(.object(arguments))
        guard validation.isValid else { return .invalidArguments("Invalid arguments for tool \(entry.wireName): \(validation.summary)") }
        let result: ToolResult
        do {
            result = try await entry.tool.handler(arguments, context)
        } catch let error as ToolError {
            return .toolError(.error(error.message))
        } catch let error as RPCError {
            return .protocolError(error)
        } catch let created as TaskCreated {
            guard context.acceptsTasks else {
                return .toolError(.error("Tool \(entry.wireName) answered with a task, which this request did not accept"))
            }
            return .task(created.task)
        } catch let signal as InputRequiredSignal {
            return .inputRequired(signal.requests)
        } catch is CancellationError {
            return .cancelled
        } catch {
            return .toolError(.error("Tool \(entry.wireName) failed: \(error)"))
        }
        if result.isError { return .toolError(result) }
        if let output = entry.output {
            guard let structured = result.structuredContent else {
                return .toolError(.error("Tool \(entry.wireName) declares an outputSchema but returned no structuredContent"))
            }
            let check = output.validate(structured)
            guard check.isValid else {
                return .toolError(.error("Tool \(entry.wireName) returned structuredContent that does not match its outputSchema: \(check.summary)"))
            }
        }
        return .result(result)
    }
}
