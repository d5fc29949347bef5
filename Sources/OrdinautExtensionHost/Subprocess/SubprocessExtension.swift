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
import OrdinautIO
import Synchronization

/// An extension that is a separate program speaking MCP over stdio. The host is its MCP client: it
/// starts the program, imports its tools as `ext.<id>.<name>`, forwards calls (bounded in number and
/// time), restarts it with backoff when it dies, and stops it with stdin close → SIGTERM → SIGKILL.
/// The program runs in a process group of its own and dies with the host (`ChildProcess`).
/// Routes and events travel as `ordinaut/*` methods on the same connection (`protocol/host-protocol.md`).
final class SubprocessExtension: Sendable {
    enum Phase: Sendable, Equatable {
        case idle, running, restarting(attempt: Int), stopping, stopped
    }

    struct State {
        var phase: Phase = .idle
        var connection: ChildConnection?
        var process: ChildProcess?
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
    let server: MCPServer
    let registrar: ToolRegistrar
    let events: ExtensionEvents
    /// The program's own metrics (`ordinaut/metrics`).
    let metrics: ExtensionMetrics
    /// Where running programs are recorded, for reaping after a crash.
    let children: ChildRegistry?
    let logger: Logger
    /// Where the program's stdout is read, when not on a thread of its own.
    private let lineReactor: (any LineReactor)?
    private let backoff: Backoff
    let state = Mutex(State())

    init(manifest: ExtensionManifest, directory: String, executable: String, grants: Set<Capability>, server: MCPServer,
         registrar: ToolRegistrar, events: ExtensionEvents, metrics: ExtensionMetrics, children: ChildRegistry?,
         lineReactor: (any LineReactor)? = nil, logger: Logger, backoff: Backoff = Backoff(base: .milliseconds(250), cap: .seconds(30))) {
        self.manifest = manifest
        self.directory = directory
        self.executable = executable
        self.grants = grants
        self.server = server
        self.registrar = registrar
        self.events = events
        self.metrics = metrics
        self.children = children
        self.lineReactor = lineReactor
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
        var pipes: [(read: Int32, write: Int32)] = []
        do {
            for _ in 0..<3 { pipes.append(try ChildProcess.pipe()) }
        } catch {
            for pipe in pipes { close(pipe.read); close(pipe.write) }
            throw ActivationFailure(phase: "start", message: "\(error)")
        }
        let (stdin, stdout, stderr) = (pipes[0], pipes[1], pipes[2])
        let process: ChildProcess
        do {
            defer { for end in [stdin.read, stdout.write, stderr.write] { close(end) } }
            process = try await ChildProcess.spawn(
                executable: executable, arguments: manifest.arguments, environment: environment(), directory: directory,
                standardInput: stdin.read, standardOutput: stdout.write, standardError: stderr.write, label: id,
                registry: children)
        } catch {
            for end in [stdin.write, stdout.read, stderr.read] { close(end) }
            throw ActivationFailure(phase: "start", message: "\(error)")
        }
        let connection = ChildConnection(
            input: FileHandle(fileDescriptor: stdin.write, closeOnDealloc: true),
            output: FileHandle(fileDescriptor: stdout.read, closeOnDealloc: true), label: id,
            maximumLineLength: 16 << 20, reactor: lineReactor, logger: logger,
            onRequest: { [weak self] method, params in
                guard let self else { return .failure(.internalError("the extension host is gone")) }
                return await self.answer(method, params)
            },
            onNotification: { [weak self] method, params in self?.notice(method, params) })
        followStandardError(FileHandle(fileDescriptor: stderr.read, closeOnDealloc: true))
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

    private func stderrHint() -> String {
        let tail = state.withLock { $0.stderrTail.suffix(3) }
        return tail.isEmpty ? "" : "; its last stderr lines: " + tail.joined(separator: " | ")
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

    private func describeExit(_ process: ChildProcess) -> String {
        process.exit?.description ?? "closed its stdout"
    }

    /// Waits until `process` has exited, at most a second after stdout closed.
    private func reap(_ process: ChildProcess) async {
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { process.signal(SIGKILL) }
        _ = await process.waitForExit()
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

    private func terminate(_ process: ChildProcess, within limit: Duration) async {
        let clock = ContinuousClock()
        let start = clock.now
        var signalled = false
        while process.isRunning {
            let elapsed = clock.now - start
            if elapsed >= limit {
                process.signal(SIGKILL)
                break
            }
            if !signalled, elapsed >= limit / 2 {
                process.signal(SIGTERM)
                signalled = true
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Logs the child's stderr and keeps its last 20 lines, on the reading thread itself: a child
    /// that writes faster than the log takes it is slowed by its own pipe, and nothing queues up.
    private func followStandardError(_ handle: FileHandle) {
        let reader = LineReader(descriptor: handle.fileDescriptor, maximumLineLength: 8192, threadName: "ext-\(id)-stderr") { [weak self] line in
            guard let self else { return }
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
        } onEnd: {
            try? handle.close()
        }
        reader.start()
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
            if let process = state.process, process.isRunning { object["pid"] = .integer(Int64(process.pid)) }
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
