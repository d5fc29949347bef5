import Foundation
import Logging
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautExtensionKit
import OrdinautIO
import OrdinautMCP
import OrdinautWebhooks
import ServiceLifecycle
import Synchronization

/// Discovers, grants, activates, supervises and stops extensions. It is a `Service`: running it
/// activates the eager extensions, and graceful shutdown stops every extension within its limits.
public final class ExtensionHost: Service, Sendable {
    public let configuration: ExtensionHostConfiguration
    public let server: MCPServer
    public let bus: any EventBus
    let supervisor: TaskSupervisor
    let logger: Logger
    let records: [String: ExtensionRecord]
    /// Discovery order, for stable listings.
    let order: [String]
    let problems: [(origin: String, message: String)]
    let sources: [JSONValue]
    let services: HostServices
    /// Told each extension's change of state (`extension.state`).
    let changes: ChangeFeed?
    /// The HTTP client of webhook tools, made when the first webhook extension activates.
    let curl = Mutex<CurlClient?>(nil)
    let started = Date()
    /// Held from discovery until the eager extensions have registered their tools.
    private let eagerHold: SurfaceHold?

    public init(configuration: ExtensionHostConfiguration, compiled: [CompiledExtension], server: MCPServer,
                bus: any EventBus, services: HostServices, changes: ChangeFeed? = nil, logger: Logger) {
        self.configuration = configuration
        self.changes = changes
        self.server = server
        self.bus = bus
        self.services = services
        self.logger = logger
        supervisor = TaskSupervisor(logger: logger)
        let found = Discovery(configuration: configuration, compiled: compiled).run()
        records = Dictionary(uniqueKeysWithValues: found.records.map { ($0.id, $0) })
        order = found.records.map(\.id)
        problems = found.problems
        sources = found.sources
        // Until the eager extensions have registered, requests that read the surface wait.
        eagerHold = records.values.contains(where: configuration.startsWithHost) ? server.holdSurface() : nil
        for problem in problems {
            logger.error("extension not loaded", metadata: ["origin": .string(problem.origin), "reason": .string(problem.message)])
        }
        for record in found.records { prepare(record) }
    }

    /// The extension called `id`, if discovered.
    func record(_ id: String) -> ExtensionRecord? { records[id] }

    // MARK: Before activation

    /// Registers placeholders for declared tools.
    private func prepare(_ record: ExtensionRecord) {
        guard let manifest = record.manifest else { return }
        let declared = manifest.tools.filter { $0.webhook == nil }
        if !declared.isEmpty && !record.granted.contains(.tools) {
            logger.warning("extension declares tools but is not granted TOOLS; they are not offered", metadata: ["extension": .string(record.id)])
        } else {
            for tool in declared { registerPlaceholder(tool, of: record, manifest: manifest) }
        }
    }

    /// Subscribes, for each lazy extension with manifest `subscriptions`, to the events that start it.
    private func armTriggers() async {
        for id in order {
            let record = records[id]!
            guard !record.eager, record.granted.contains(.eventsSubscribe), let patterns = record.manifest?.subscriptions,
                  !patterns.isEmpty, case .lazy = record.phase else { continue }
            await armTriggers(record, patterns)
        }
    }

    private func registerPlaceholder(_ declared: ExtensionManifest.DeclaredTool, of record: ExtensionRecord, manifest: ExtensionManifest) {
        let name = manifest.registryName(of: declared.name)
        let placeholder = Tool(
            name: name, title: declared.title, description: declared.description,
            inputSchema: declared.inputSchema, outputSchema: declared.outputSchema, scope: Scope.extensionTools(record.id)
        ) { [weak self] arguments, context in
            guard let self else { return .error("the extension host is shutting down") }
            return try await self.callThroughPlaceholder(name, record, arguments, context)
        }
        do {
            try server.tools.register(placeholder)
            record.state.withLock { _ = $0.placeholders.insert(name) }
        } catch {
            logger.error("declared tool not registered", metadata: ["extension": .string(record.id), "reason": .string(error.message)])
        }
    }

    private func callThroughPlaceholder(_ name: String, _ record: ExtensionRecord, _ arguments: JSONObject,
                                        _ context: OrdinautMCP.RequestContext) async throws -> ToolResult {
        if case .failed(let failure) = await activate(record) {
            return .error("extension \"\(record.id)\" could not be activated (\(failure.phase)): \(failure.message)")
        }
        let stillPlaceholder = record.state.withLock { $0.placeholders.contains(name) }
        guard !stillPlaceholder, let handler = server.tools.handler(for: name) else {
            return .error("extension \"\(record.id)\" is active but did not provide tool \(name), which its manifest declares")
        }
        return try await handler(arguments, context)
    }

    private func armTriggers(_ record: ExtensionRecord, _ patterns: [String]) async {
        for text in patterns {
            do {
                let pattern = try TopicPattern(text)
                let trigger = try await bus.subscribe(pattern, subscriber: "ordinaut.activation:\(record.id)",
                                                      delivery: .group("ordinaut:activate:\(record.id):\(text)")) { [weak self] event in
                    guard let self else { return }
                    let wasActive = if case .active = record.phase { true } else { false }
                    guard !wasActive else { return }
                    if case .failed(let failure) = await self.activate(record) { throw failure }
                    // The event that woke the extension reaches it: a subprocess as an `ordinaut/event`
                    // for subscription `activation`, a compiled-in extension through the handlers it
                    // subscribed during setup. Activation cancelled the triggers, this one included,
                    // and with it this handler's task; the delivery runs in a task of its own, which
                    // that cancellation does not reach.
                    try await Task {
                        if let subprocess = record.state.withLock({ $0.subprocess }) {
                            try await subprocess.deliver(event, subscription: "activation")
                            return
                        }
                        let handlers = record.state.withLock { $0.subscriptions.filter { $0.subscription.pattern.matches(event) } }
                        for entry in handlers { try await entry.handler(event) }
                    }.value
                }
                record.state.withLock { $0.triggers.append(trigger) }
            } catch {
                logger.error("activation subscription failed", metadata: ["extension": .string(record.id), "pattern": .string(text), "error": .string("\(error)")])
            }
        }
    }

    // MARK: Activation

    /// Activates `record` once, however many callers ask at the same time, and returns its phase.
    @discardableResult
    func activate(_ record: ExtensionRecord) async -> ExtensionRecord.Phase {
        let pending: Task<Void, Never>? = record.state.withLock { state in
            switch state.phase {
            case .lazy:
                let task = Task { await self.performActivation(record) }
                state.phase = .activating
                state.activation = task
                return task
            case .activating:
                return state.activation
            case .active, .failed, .stopped:
                return nil
            }
        }
        await pending?.value
        return record.phase
    }

    /// Activates the eager extensions, concurrently, then lets requests held meanwhile go on;
    /// `run()` starts with it.
    public func activateEager() async {
        await withTaskGroup(of: Void.self) { group in
            for id in order where configuration.startsWithHost(records[id]!) {
                group.addTask { await self.activate(self.records[id]!) }
            }
        }
        eagerHold?.release()
    }

    private func performActivation(_ record: ExtensionRecord) async {
        let clock = ContinuousClock()
        let began = clock.now
        do {
            switch record.kind {
            case .compiled(let instance): try await activateCompiled(record, instance)
            case .subprocess(let executable): try await activateSubprocess(record, executable)
            case .webhook: try activateWebhooks(record)
            }
            let elapsed = clock.now - began
            let milliseconds = elapsed.seconds * 1000
            let triggers = record.state.withLock { state in
                state.phase = .active
                state.loadedMilliseconds = milliseconds
                state.activation = nil
                defer { state.triggers = [] }
                return state.triggers
            }
            for trigger in triggers { trigger.cancel() }
            announce(record)
            logger.info("extension active", metadata: ["extension": .string(record.id), "loaded_ms": .stringConvertible(milliseconds)])
        } catch {
            logger.error("extension failed to activate", metadata: [
                "extension": .string(record.id), "phase": .string(error.phase), "reason": .string(error.message),
            ])
            await release(record)
            record.state.withLock { state in
                state.phase = .failed(error)
                state.activation = nil
            }
            announce(record)
            await alertError(record, error)
        }
    }

    /// Publishes `ordinaut.extension.error` (source `ordinaut`, so an event task can react): the
    /// extension entered the error state.
    private func alertError(_ record: ExtensionRecord, _ failure: ActivationFailure) async {
        let payload: JSONValue = ["extension": .string(record.id), "phase": .string(failure.phase), "message": .string(String(failure.message.prefix(2000)))]
        do {
            _ = try await bus.publish(source: "ordinaut", namespace: StreamName.defaultNamespace, name: "ordinaut.extension.error", payload: payload)
        } catch {
            logger.warning("cannot publish the ordinaut.extension.error alert", metadata: ["extension": .string(record.id), "error": .string("\(error)")])
        }
    }

    /// Tells followers of the change feed the state `record` is in now.
    private func announce(_ record: ExtensionRecord) {
        var change: JSONObject = ["extension_id": .string(record.id), "state": .string(record.phase.name)]
        if case .failed(let failure) = record.phase { change["error"] = failure.json }
        changes?.publish("extension.state", change)
    }

    func registrar(for record: ExtensionRecord) -> ToolRegistrar {
        ToolRegistrar(
            extensionID: record.id, server: server,
            declarations: (record.manifest?.tools ?? []).filter { $0.webhook == nil }.map(\.declaration),
            willRegister: { [server] name in
                let replaced = record.state.withLock { $0.placeholders.remove(name) != nil }
                if replaced { server.tools.unregister(name) }
            },
            didRegister: { name in record.state.withLock { _ = $0.tools.insert(name) } })
    }

    func events(for record: ExtensionRecord) -> ExtensionEvents {
        ExtensionEvents(
            extensionID: record.id, bus: bus, grants: record.granted, grantSource: record.grantSource,
            didSubscribe: { subscription, handler in
                record.state.withLock { state in
                    state.subscriptions.removeAll { $0.subscription.isCancelled }
                    state.subscriptions.append((subscription, handler))
                }
            })
    }

    func context(for record: ExtensionRecord) -> ExtensionContext {
        ExtensionContext(
            info: record.info, grants: record.granted, grantSource: record.grantSource, directory: record.directory,
            logger: extensionLogger(record), tools: registrar(for: record), events: events(for: record),
            background: BackgroundTasks(extensionID: record.id, supervisor: supervisor), services: services,
            templates: { try TemplateFiles.sources(of: record) })
    }

    func extensionLogger(_ record: ExtensionRecord) -> Logger {
        var logger = self.logger
        logger[metadataKey: "extension"] = .string(record.id)
        return logger
    }

    func limits(_ record: ExtensionRecord) -> ExtensionManifest.Limits {
        var limits = record.manifest?.limits ?? ExtensionManifest.Limits()
        if record.manifest == nil {
            limits.startupTimeout = configuration.hookTimeout
            limits.shutdownTimeout = configuration.hookTimeout
        }
        if let budget = configuration.stopBudget { limits.shutdownTimeout = min(limits.shutdownTimeout, budget) }
        return limits
    }

    private func release(_ record: ExtensionRecord) async {
        let (subscriptions, subprocess) = record.state.withLock { state in
            defer { state.subscriptions = [] }
            return (state.subscriptions.map(\.subscription), state.subprocess)
        }
        for subscription in subscriptions { subscription.cancel() }
        await supervisor.stopAll(owner: record.id, within: limits(record).shutdownTimeout)
        await subprocess?.stop(within: limits(record).shutdownTimeout)
    }

    // MARK: Service

    /// Arms the events that start lazy extensions, activates the eager ones, then waits for shutdown.
    public func run() async throws {
        reapLeftovers()
        await armTriggers()
        await activateEager()
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Kills what subprocess extensions of a crashed earlier process left running (`ChildRegistry`).
    private func reapLeftovers() {
        guard let directory = configuration.childRecords else { return }
        for leftover in ChildRegistry(directory: directory).reapLeftovers() {
            logger.warning("killed the process group a crashed earlier run left behind",
                           metadata: ["extension": .string(leftover.label), "pid": .stringConvertible(leftover.pid)])
        }
    }

    /// Runs every active extension's shutdown hook, then stops subscriptions, background tasks and
    /// processes, each within the extension's limit.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for record in records.values {
                group.addTask { await self.stop(record) }
            }
        }
        curl.withLock { $0?.shutdown() }
    }

    private func stop(_ record: ExtensionRecord) async {
        let (phase, context, triggers) = record.state.withLock { state in
            defer {
                state.phase = .stopped
                state.triggers = []
            }
            return (state.phase, state.context, state.triggers)
        }
        for trigger in triggers { trigger.cancel() }
        announce(record)
        if case .active = phase, case .compiled(let instance) = record.kind, let context {
            do {
                try await withDeadline(limits(record).shutdownTimeout, phase: "shutdown") { try await instance.shutdown(context: context) }
            } catch {
                logger.error("extension shutdown failed", metadata: ["extension": .string(record.id), "reason": .string(error.message)])
            }
        }
        await release(record)
    }
}
