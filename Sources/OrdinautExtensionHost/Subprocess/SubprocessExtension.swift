#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrdinautCore
import OrdinautExtensionKit
import OrdinautJSONSchema
import OrdinautMCP
import OrdinautStdio
import Synchronization

/// An extension that is a separate program speaking MCP over stdio. The host is its MCP client: it
/// starts the program, imports its tools as `ext.<id>.<name>`, forwards calls (bounded in number and
/// time), restarts it with backoff when it dies, and stops it with stdin close → SIGTERM → SIGKILL.
/// Routes and events travel as `ordinaut/*` methods on the same connection (`protocol/host-protocol.md`).
final class SubprocessExtension: Sendable {
    enum Phase: Sendable, Equatable {
        case idle, running, restarting(attempt: Int), stopping, stopped
    }

    private struct State {
        var phase: Phase = .idle
        var connection: ChildConnection?
        var process: Process?
        var inFlight = 0
        var restarts = 0
        var lastExit: String?
        var importedTools: [String] = []
        var importedPrompts: [String] = []
        var importedResources: [String] = []
        var skippedTools: [JSONValue] = []
        var serverInfo: JSONValue?
        var stderrTail: [String] = []
        var supervisor: Task<Void, Never>?
        /// Subscriptions the running program made; they end with it (a restarted program subscribes anew).
        var subscriptions: [EventSubscription] = []
    }

    let manifest: ExtensionManifest
    let directory: String
    let executable: String
    let grants: Set<Capability>
    private let server: MCPServer
    private let registrar: ToolRegistrar
    private let events: ExtensionEvents
    private let logger: Logger
    private let backoff: Backoff
    private let state = Mutex(State())

    init(manifest: ExtensionManifest, directory: String, executable: String, grants: Set<Capability>, server: MCPServer,
         registrar: ToolRegistrar, events: ExtensionEvents, logger: Logger,
         backoff: Backoff = Backoff(base: .milliseconds(250), cap: .seconds(30))) {
        self.manifest = manifest
        self.directory = directory
        self.executable = executable
        self.grants = grants
        self.server = server
        self.registrar = registrar
        self.events = events
        self.logger = logger
        self.backoff = backoff
    }

    var id: String { manifest.id }

    // MARK: Lifecycle

    /// Starts the program and imports its tools; throws when the first start fails.
    func start() async throws(ActivationFailure) {
        BrokenPipes.ignore()
        let reading = try await launch()
        let supervisor = Task { await self.supervise(reading) }
        state.withLock { $0.supervisor = supervisor }
    }

    /// Starts the program and completes the MCP handshake; returns the task that reads its stdout,
    /// which ends when the program closes it.
    private func launch() async throws(ActivationFailure) -> Task<Void, Never> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = manifest.arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment()
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let connection = ChildConnection(
            input: stdin.fileHandleForWriting, output: stdout.fileHandleForReading, label: id,
            maximumLineLength: 16 << 20, logger: logger,
            onRequest: { [weak self] method, params in
                guard let self else { return .failure(.internalError("the extension host is gone")) }
                return await self.answer(method, params)
            },
            onNotification: { [weak self] method, params in self?.notice(method, params) })
        do {
            try process.run()
        } catch {
            throw ActivationFailure(phase: "start", message: "cannot run \(executable): \(error.localizedDescription)")
        }
        try? stdout.fileHandleForWriting.close()
        try? stderr.fileHandleForWriting.close()
        try? stdin.fileHandleForReading.close()
        followStandardError(stderr.fileHandleForReading)
        state.withLock {
            $0.process = process
            $0.connection = connection
        }
        let reading = Task { await connection.run() }
        do {
            try await handshake(connection)
        } catch {
            connection.close()
            await terminate(process, within: .seconds(2))
            await reading.value
            throw error
        }
        state.withLock { $0.phase = .running }
        return reading
    }

    private func environment() -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for name in ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "ZONEINFO", "PYTHONPATH", "VIRTUAL_ENV"] {
            if let value = inherited[name] { environment[name] = value }
        }
        for (name, value) in manifest.environment { environment[name] = value }
        environment["ORDINAUT_EXT_ID"] = id
        environment["ORDINAUT_EXT_MOUNT_PATH"] = "/ext/\(id)"
        environment["ORDINAUT_EXT_GRANTS"] = grants.sorted().map(\.rawValue).joined(separator: ",")
        return environment
    }

    private func handshake(_ connection: ChildConnection) async throws(ActivationFailure) {
        let timeout = manifest.limits.startupTimeout
        let hostCapability: JSONValue = [
            "extension": .string(id), "grants": .array(grants.sorted().map { .string($0.rawValue) }),
            "mountPath": .string("/ext/\(id)"), "hostVersion": .string(server.configuration.version),
        ]
        let initialize = await connection.request("initialize", [
            "protocolVersion": "2025-11-25",
            "capabilities": ["experimental": ["ordinaut/host": hostCapability]],
            "clientInfo": ["name": "ordinaut", "version": .string(server.configuration.version)],
        ], timeout: timeout)
        let result: JSONValue
        switch initialize {
        case .success(let value): result = value
        case .failure(let failure): throw ActivationFailure(phase: "initialize", message: "initialize failed: \(failure)\(stderrHint())")
        }
        guard result["protocolVersion"]?.stringValue != nil, result["capabilities"]?.objectValue != nil else {
            throw ActivationFailure(phase: "initialize", message: "the initialize result has no protocolVersion or capabilities")
        }
        state.withLock { $0.serverInfo = result["serverInfo"] }
        connection.notify("notifications/initialized")
        if result["capabilities"]?["tools"] != nil {
            try await importTools(connection)
        }
        if result["capabilities"]?["prompts"] != nil {
            try await importPrompts(connection)
        }
        if result["capabilities"]?["resources"] != nil {
            try await importResources(connection)
        }
    }

    /// Every page of a list method's `key` array.
    private func listAll(_ connection: ChildConnection, _ method: String, _ key: String) async throws(ActivationFailure) -> [JSONValue] {
        var listed: [JSONValue] = []
        var cursor: JSONValue?
        repeat {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = cursor }
            switch await connection.request(method, params, timeout: manifest.limits.startupTimeout) {
            case .success(let page):
                guard let items = page[key]?.arrayValue else {
                    throw ActivationFailure(phase: method, message: "the \(method) result has no \(key) array")
                }
                listed += items
                cursor = page["nextCursor"]
            case .failure(let failure):
                throw ActivationFailure(phase: method, message: "\(method) failed: \(failure)")
            }
        } while cursor != nil && listed.count < 10_000
        return listed
    }

    /// Registers the program's prompts as `ext.<id>.<name>`; `prompts/get` is forwarded.
    private func importPrompts(_ connection: ChildConnection) async throws(ActivationFailure) {
        guard grants.contains(.tools) else { return }
        var imported: [String] = []
        for entry in try await listAll(connection, "prompts/list", "prompts") {
            guard let remote = entry["name"]?.stringValue else { continue }
            let name = "ext.\(id).\(remote)"
            let arguments = (entry["arguments"]?.arrayValue ?? []).compactMap { argument -> PromptArgument? in
                argument["name"]?.stringValue.map {
                    PromptArgument(name: $0, description: argument["description"]?.stringValue, required: argument["required"]?.boolValue ?? false)
                }
            }
            let prompt = Prompt(name: name, title: entry["title"]?.stringValue, description: entry["description"]?.stringValue,
                                arguments: arguments) { [weak self] values, _ in
                guard let self else { throw ToolError("the extension host is shutting down") }
                return try await self.getPrompt(remote, values)
            }
            server.prompts.unregister(name: name)
            do throws(RegistrationError) {
                try registrar.register(prompt)
                imported.append(name)
            } catch {
                logger.warning("extension prompt not imported", metadata: ["prompt": .string(remote), "reason": .string(error.message)])
            }
        }
        let previous = state.withLock { state in
            defer { state.importedPrompts = imported }
            return state.importedPrompts
        }
        for name in previous where !imported.contains(name) { server.prompts.unregister(name: name) }
    }

    /// Registers the program's resources as `ext://<id>/<its URI>`; `resources/read` is forwarded.
    private func importResources(_ connection: ChildConnection) async throws(ActivationFailure) {
        guard grants.contains(.tools) else { return }
        var imported: [String] = []
        for entry in try await listAll(connection, "resources/list", "resources") {
            guard let remote = entry["uri"]?.stringValue else { continue }
            let uri = "ext://\(id)/\(remote)"
            let resource = Resource(uri: uri, name: entry["name"]?.stringValue ?? remote, title: entry["title"]?.stringValue,
                                    description: entry["description"]?.stringValue, mimeType: entry["mimeType"]?.stringValue) { [weak self] _, _, _ in
                guard let self else { throw ToolError("the extension host is shutting down") }
                return try await self.readResource(remote, as: uri)
            }
            server.resources.unregister(uri: uri)
            do throws(RegistrationError) {
                try registrar.register(resource)
                imported.append(uri)
            } catch {
                logger.warning("extension resource not imported", metadata: ["resource": .string(remote), "reason": .string(error.message)])
            }
        }
        let previous = state.withLock { state in
            defer { state.importedResources = imported }
            return state.importedResources
        }
        for uri in previous where !imported.contains(uri) { server.resources.unregister(uri: uri) }
    }

    private func running() throws -> ChildConnection {
        guard let connection = state.withLock({ $0.phase == .running ? $0.connection : nil }) else {
            throw ToolError("extension \"\(id)\" is not running")
        }
        return connection
    }

    private func getPrompt(_ remote: String, _ values: [String: String]) async throws -> (description: String?, messages: [PromptMessage]) {
        let arguments = JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
        switch await try running().request("prompts/get", ["name": .string(remote), "arguments": .object(arguments)], timeout: manifest.limits.callTimeout) {
        case .success(let result):
            var messages: [PromptMessage] = []
            for message in result["messages"]?.arrayValue ?? [] {
                guard let role = message["role"]?.stringValue.flatMap(PromptMessage.Role.init(rawValue:)),
                      let content = message["content"].flatMap(Content.init(json:)) else {
                    throw ToolError("extension \"\(id)\" returned a malformed prompt message")
                }
                messages.append(PromptMessage(role: role, content: content))
            }
            return (result["description"]?.stringValue, messages)
        case .failure(let failure):
            throw ToolError("extension \"\(id)\" failed prompt \(remote): \(failure)")
        }
    }

    private func readResource(_ remote: String, as uri: String) async throws -> [ResourceContents] {
        switch await try running().request("resources/read", ["uri": .string(remote)], timeout: manifest.limits.callTimeout) {
        case .success(let result):
            return try (result["contents"]?.arrayValue ?? []).map { item in
                guard let contents = ResourceContents(json: item) else {
                    throw ToolError("extension \"\(id)\" returned malformed contents for \(remote)")
                }
                switch contents.body {
                case .text(let text): return ResourceContents(uri: uri, mimeType: contents.mimeType, text: text)
                case .blob(let blob): return ResourceContents(uri: uri, mimeType: contents.mimeType, blobBase64: blob)
                }
            }
        case .failure(let failure):
            throw ToolError("extension \"\(id)\" failed to read \(remote): \(failure)")
        }
    }

    private func stderrHint() -> String {
        let tail = state.withLock { $0.stderrTail.suffix(3) }
        return tail.isEmpty ? "" : "; its last stderr lines: " + tail.joined(separator: " | ")
    }

    /// Lists the program's tools and registers them under `ext.<id>.`; tools that vanished are removed.
    private func importTools(_ connection: ChildConnection) async throws(ActivationFailure) {
        guard grants.contains(.tools) else {
            logger.notice("extension offers tools but was not granted TOOLS; none imported")
            return
        }
        var listed: [JSONValue] = []
        var cursor: JSONValue?
        repeat {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = cursor }
            switch await connection.request("tools/list", params, timeout: manifest.limits.startupTimeout) {
            case .success(let page):
                guard let tools = page["tools"]?.arrayValue else {
                    throw ActivationFailure(phase: "tools/list", message: "the tools/list result has no tools array")
                }
                listed += tools
                cursor = page["nextCursor"]
            case .failure(let failure):
                throw ActivationFailure(phase: "tools/list", message: "tools/list failed: \(failure)")
            }
        } while cursor != nil && listed.count < 10_000
        var imported: [String] = []
        var skipped: [JSONValue] = []
        for entry in listed {
            guard let remote = entry["name"]?.stringValue else {
                skipped.append(["reason": "a listed tool has no name"])
                continue
            }
            let name = "ext.\(id).\(remote)"
            let tool = Tool(
                name: name, title: entry["title"]?.stringValue, description: entry["description"]?.stringValue,
                inputSchema: entry["inputSchema"] ?? ["type": "object"], outputSchema: entry["outputSchema"],
                annotations: entry["annotations"]
            ) { [weak self] arguments, context in
                guard let self else { return .error("the extension host is shutting down") }
                return await self.call(remote, arguments, context)
            }
            server.tools.unregister(name)
            do throws(RegistrationError) {
                try registrar.register(tool)
                imported.append(name)
            } catch {
                skipped.append(["name": .string(remote), "reason": .string(error.message)])
                logger.warning("extension tool not imported", metadata: ["tool": .string(remote), "reason": .string(error.message)])
            }
        }
        let previous = state.withLock { state in
            defer {
                state.importedTools = imported
                state.skippedTools = skipped
            }
            return state.importedTools
        }
        for name in previous where !imported.contains(name) { server.tools.unregister(name) }
    }

    /// Restarts the program whenever it exits, until `stop`.
    private func supervise(_ first: Task<Void, Never>) async {
        var reading = first
        var attempt = 0
        while true {
            await reading.value
            let (stopping, process) = state.withLock { state in
                (state.phase == .stopping || state.phase == .stopped, state.process)
            }
            if let process { await reap(process) }
            for subscription in state.withLock({ state in
                defer { state.subscriptions = [] }
                return state.subscriptions
            }) { subscription.cancel() }
            if stopping { return }
            let status = process.map { describeExit($0) } ?? "exited"
            logger.warning("extension process \(status); restarting")
            while true {
                attempt += 1
                let wait = backoff.delay(attempt: attempt)
                state.withLock {
                    $0.phase = .restarting(attempt: attempt)
                    $0.restarts += 1
                    $0.lastExit = status
                    $0.connection = nil
                }
                do { try await Task.sleep(for: wait) } catch { return }
                if state.withLock({ $0.phase == .stopping || $0.phase == .stopped }) { return }
                do {
                    reading = try await launch()
                    attempt = 0
                    break
                } catch {
                    state.withLock { $0.lastExit = error.message }
                    logger.warning("extension restart failed", metadata: ["error": .string(error.message)])
                }
            }
        }
    }

    private func describeExit(_ process: Process) -> String {
        guard !process.isRunning else { return "closed its stdout" }
        switch process.terminationReason {
        case .exit: return "exited with status \(process.terminationStatus)"
        case .uncaughtSignal: return "was killed by signal \(process.terminationStatus)"
        @unknown default: return "exited"
        }
    }

    /// Waits (off the concurrency pool) until `process` has exited, at most a second after stdout closed.
    private func reap(_ process: Process) async {
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Stops the program: close stdin, then SIGTERM after half the limit, then SIGKILL.
    func stop(within limit: Duration) async {
        let (process, connection, supervisor) = state.withLock { state in
            state.phase = .stopping
            return (state.process, state.connection, state.supervisor)
        }
        supervisor?.cancel()
        connection?.close()
        if let process { await terminate(process, within: limit) }
        state.withLock { $0.phase = .stopped }
        let (tools, prompts, resources) = state.withLock { ($0.importedTools, $0.importedPrompts, $0.importedResources) }
        for name in tools { server.tools.unregister(name) }
        for name in prompts { server.prompts.unregister(name: name) }
        for uri in resources { server.resources.unregister(uri: uri) }
    }

    private func terminate(_ process: Process, within limit: Duration) async {
        let clock = ContinuousClock()
        let start = clock.now
        var signalled = false
        while process.isRunning {
            let elapsed = clock.now - start
            if elapsed >= limit {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            if !signalled, elapsed >= limit / 2 {
                process.terminate()
                signalled = true
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func followStandardError(_ handle: FileHandle) {
        let reader = LineReader(descriptor: handle.fileDescriptor, maximumLineLength: 8192, threadName: "ext-\(id)-stderr")
        reader.start()
        Task { [weak self] in
            for await line in reader.lines {
                guard let self else { continue }
                let text: String
                switch line {
                case .message(let bytes): text = String(decoding: bytes, as: UTF8.self)
                case .tooLong(let count): text = "(a line of \(count) bytes)"
                }
                self.logger.info("\(text)", metadata: ["stream": "stderr"])
                self.state.withLock { state in
                    state.stderrTail.append(text)
                    if state.stderrTail.count > 20 { state.stderrTail.removeFirst() }
                }
            }
            try? handle.close()
        }
    }

    // MARK: Calls

    /// Forwards a tool call; every failure becomes an `isError` result that says what happened.
    func call(_ remote: String, _ arguments: JSONObject, _ context: OrdinautMCP.RequestContext) async -> ToolResult {
        let limit = manifest.limits.maxInFlight
        let admitted = state.withLock { state -> Result<ChildConnection, ToolError> in
            switch state.phase {
            case .running:
                guard let connection = state.connection else { return .failure(ToolError("extension \"\(id)\" is unavailable")) }
                guard state.inFlight < limit else {
                    return .failure(ToolError("extension \"\(id)\" already has \(limit) calls in flight (its limit); try again shortly"))
                }
                state.inFlight += 1
                return .success(connection)
            case .restarting(let attempt):
                return .failure(ToolError("extension \"\(id)\" is unavailable, restarting (attempt \(attempt)) after it \(state.lastExit ?? "exited")"))
            case .idle, .stopping, .stopped:
                return .failure(ToolError("extension \"\(id)\" is not running"))
            }
        }
        let connection: ChildConnection
        switch admitted {
        case .success(let admittedConnection): connection = admittedConnection
        case .failure(let error): return .error(error.message)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        let outcome = await connection.request("tools/call", ["name": .string(remote), "arguments": .object(arguments)],
                                               timeout: manifest.limits.callTimeout)
        switch outcome {
        case .success(let json):
            switch ToolResult.decode(json) {
            case .success(let result): return result
            case .failure(let error): return .error("extension \"\(id)\" returned a malformed result for \(remote): \(error.message)")
            }
        case .failure(.timedOut(let limit)):
            return .error("extension \"\(id)\" did not answer \(remote) within \(limit.components.seconds) s; the call was cancelled")
        case .failure(.closed):
            return .error("extension \"\(id)\" exited during the call to \(remote); it is restarting")
        case .failure(let failure):
            return .error("extension \"\(id)\" failed \(remote): \(failure)")
        }
    }

    /// Forwards an HTTP request below `/ext/<id>` as `ordinaut/http`.
    func forward(_ request: Request, path: String, maxBodyBytes: Int) async -> Response {
        let (connection, phase) = state.withLock { ($0.phase == .running ? $0.connection : nil, $0.phase) }
        guard let connection else {
            let reason = if case .restarting(let attempt) = phase { "is restarting (attempt \(attempt))" } else { "is not running" }
            return ErrorBody.response(.serviceUnavailable, "extension_unavailable", "extension \"\(id)\" \(reason)",
                                      headers: [.retryAfter: "1"])
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            return ErrorBody.response(.contentTooLarge, "body_too_large", "the request body exceeds \(maxBodyBytes) bytes")
        }
        let bytes = Array(body.readableBytesView)
        let text = String(validating: bytes, as: UTF8.self)
        var headers: JSONObject = [:]
        for field in request.headers where field.name != .authorization && field.name != .cookie {
            headers[field.name.canonicalName] = .string(field.value)
        }
        let params: JSONObject = [
            "method": .string(request.method.rawValue), "path": .string(path.isEmpty ? "/" : path),
            "query": .string(request.uri.query ?? ""), "headers": .object(headers),
            "body": .string(text ?? Data(bytes).base64EncodedString()), "bodyEncoding": text == nil ? "base64" : "text",
        ]
        switch await connection.request("ordinaut/http", params, timeout: manifest.limits.callTimeout) {
        case .success(let result):
            return HTTPForwarding.response(from: result, extensionID: id)
        case .failure(.remote(let error)) where error.code == RPCError.methodNotFoundCode:
            return ErrorBody.response(.notFound, "not_found", "extension \"\(id)\" serves no HTTP routes (it does not implement ordinaut/http)")
        case .failure(let failure):
            return ErrorBody.response(.badGateway, "extension_error", "extension \"\(id)\" could not answer: \(failure)")
        }
    }

    // MARK: Requests and notifications from the program

    private func answer(_ method: String, _ params: JSONObject) async -> Result<JSONValue, RPCError> {
        switch method {
        case "ping":
            return .success([:])
        case "ordinaut/events/publish":
            if let problem = HostProtocol.problem(params, definition: "publishParams") { return .failure(.invalidParams(problem)) }
            do {
                let event = try await events.publish(params["name"]!.stringValue!, params["payload"] ?? .null,
                                                     namespace: params["namespace"]?.stringValue ?? StreamName.defaultNamespace)
                return .success(["event": event.json])
            } catch {
                return .failure(RPCError(code: -32001, message: "\(error)"))
            }
        case "ordinaut/events/subscribe":
            if let problem = HostProtocol.problem(params, definition: "subscribeParams") { return .failure(.invalidParams(problem)) }
            let subscriptionID = UUID().uuidString
            do {
                let subscription = try await events.subscribe(params["pattern"]!.stringValue!, fanOut: params["mode"] == "fanout") { [weak self] event in
                    try await self?.deliver(event, subscription: subscriptionID)
                }
                state.withLock { $0.subscriptions.append(subscription) }
                return .success(["subscription": .string(subscriptionID)])
            } catch {
                return .failure(RPCError(code: -32001, message: "\(error)"))
            }
        default:
            return .failure(RPCError(code: RPCError.methodNotFoundCode,
                                     message: "the Ordinaut host does not offer \(method) to extensions"))
        }
    }

    /// Sends one event to the program as `ordinaut/event`; throws when it is not accepted.
    func deliver(_ event: Event, subscription: String) async throws {
        guard let connection = state.withLock({ $0.phase == .running ? $0.connection : nil }) else {
            throw ToolError("extension \"\(id)\" is not running")
        }
        if case .failure(let failure) = await connection.request(
            "ordinaut/event", ["subscription": .string(subscription), "event": event.json], timeout: manifest.limits.callTimeout) {
            throw ToolError("extension \"\(id)\" did not accept event \(event.id): \(failure)")
        }
    }

    private func notice(_ method: String, _ params: JSONObject) {
        switch method {
        case "notifications/tools/list_changed":
            guard let connection = state.withLock({ $0.connection }) else { return }
            Task { [weak self] in
                do throws(ActivationFailure) { try await self?.importTools(connection) } catch {
                    self?.logger.warning("re-importing tools failed", metadata: ["error": .string(error.message)])
                }
            }
        case "notifications/prompts/list_changed", "notifications/resources/list_changed":
            guard let connection = state.withLock({ $0.connection }) else { return }
            let prompts = method.contains("prompts")
            Task { [weak self] in
                do throws(ActivationFailure) {
                    if prompts { try await self?.importPrompts(connection) } else { try await self?.importResources(connection) }
                } catch {
                    self?.logger.warning("re-importing failed", metadata: ["error": .string(error.message)])
                }
            }
        case "notifications/message":
            logger.info("\(params["data"]?.encodedString() ?? "")", metadata: ["mcp_level": .string(params["level"]?.stringValue ?? "info")])
        default:
            break
        }
    }

    // MARK: Status

    var status: JSONValue {
        state.withLock { state in
            var object: JSONObject = [
                "executable": .string(executable), "restarts": .integer(Int64(state.restarts)),
                "in_flight": .integer(Int64(state.inFlight)), "imported_tools": .array(state.importedTools.map { .string($0) }),
            ]
            if !state.importedPrompts.isEmpty { object["imported_prompts"] = .array(state.importedPrompts.map { .string($0) }) }
            if !state.importedResources.isEmpty { object["imported_resources"] = .array(state.importedResources.map { .string($0) }) }
            switch state.phase {
            case .running: object["phase"] = "running"
            case .restarting(let attempt):
                object["phase"] = "restarting"
                object["attempt"] = .integer(Int64(attempt))
            case .idle: object["phase"] = "idle"
            case .stopping: object["phase"] = "stopping"
            case .stopped: object["phase"] = "stopped"
            }
            if let process = state.process, process.isRunning { object["pid"] = .integer(Int64(process.processIdentifier)) }
            if let lastExit = state.lastExit { object["last_exit"] = .string(lastExit) }
            if !state.skippedTools.isEmpty { object["skipped_tools"] = .array(state.skippedTools) }
            if let serverInfo = state.serverInfo { object["server_info"] = serverInfo }
            if let counters = state.connection?.counters, counters.garbageLines > 0 {
                object["garbage_lines"] = .integer(Int64(counters.garbageLines))
                if let last = counters.lastGarbage { object["last_garbage"] = .string(last) }
            }
            if !state.stderrTail.isEmpty { object["stderr_tail"] = .array(state.stderrTail.suffix(5).map { .string($0) }) }
            return .object(object)
        }
    }
}
