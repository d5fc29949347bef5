import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import OrdinautAccess
import OrdinautEvents
import OrdinautExtEventsDemo
import OrdinautExtMCPHTTP
import OrdinautExtObservability
import OrdinautExtWebUI
import OrdinautExtensionHost
import OrdinautExtensionKit
import OrdinautHTTP
import OrdinautMCP
import OrdinautPostgres
import OrdinautREST
import OrdinautRedis
import OrdinautScheduler
import OrdinautSQLite
import OrdinautStdio
import OrdinautStore
import OrdinautTracing
import ServiceLifecycle
import UnixSignals

/// The version `ordinaut --version` prints and `serverInfo` reports.
public let ordinautVersion = "0.1.0"

/// The extensions compiled into every build (`extensions/<id>/`).
public let builtInExtensions: [CompiledExtension] = [
    CompiledExtension(builtIn: "events_demo") { EventsDemoExtension() },
    CompiledExtension(builtIn: "mcp_http") { MCPHTTPExtension() },
    CompiledExtension(builtIn: "observability") { ObservabilityExtension() },
    CompiledExtension(builtIn: "webui") { WebUIExtension() },
]

/// The engine and the background services that belong to it, as configured.
public struct Engine: Sendable {
    public let server: MCPServer
    public let extensions: ExtensionHost
    public let tasks: TaskService
    /// Agents and their tokens, in the same database as the tasks.
    public let agents: AgentService
    public let metrics: OrdinautMetrics
    public let services: [any Service]
}

/// Opens the configured database (`ORDINAUT_DATABASE_URL`, else the SQLite file in the data
/// directory) and applies missing migrations.
public func openTaskStore(configuration: Configuration, migrate: Bool = true,
                          observer: ObservedDatabase.Observer? = nil) async throws -> TaskStore {
    let database: any SQLDatabase
    let url = configuration.databaseURL ?? "sqlite:" + configuration.defaultDatabasePath
    do throws(StoreError) {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw StoreError.unavailable("the SQLite URL names no file") }
            database = try SQLiteDatabase(path: path, synchronous: configuration.sqliteSynchronous)
        } else {
            database = try PostgresDatabase(url: url, poolSize: configuration.databasePoolSize)
        }
        // A damaged SQLite file stops the start here, named, instead of failing requests one by one.
        if let sqlite = database as? SQLiteDatabase { try await sqlite.checkIntegrity() }
        let store = TaskStore(database: observer.map { ObservedDatabase(database, observer: $0) } ?? database)
        if migrate { try await store.migrate() }
        return store
    } catch {
        throw ConfigurationError("ORDINAUT_DATABASE_URL=\(PostgresDatabase.redacted(url)): \(error.message)")
    }
}

/// Builds the MCP engine and the extension host with everything the configuration asks for. Both
/// transports start here. `extensions` are compiled-in extensions of a custom build, added to the
/// built-ins; `mcpEndpoint` is what the `mcp_http` extension mounts (HTTP only).
public func buildEngine(configuration: Configuration, extensions: [CompiledExtension] = [], logger: Logger,
                        mcpEndpoint: (MCPServer, TaskStore) -> (any MCPEndpointMounting)? = { _, _ in nil }) async throws -> Engine {
    let (server, metrics) = makeServer(configuration: configuration)
    return try await buildEngine(on: server, metrics: metrics, configuration: configuration, extensions: extensions,
                                 logger: logger, mcpEndpoint: mcpEndpoint)
}

/// The MCP server and the metrics it reports to, as configured: all a transport needs to answer
/// `initialize`, made before the rest of the engine.
public func makeServer(configuration: Configuration) -> (server: MCPServer, metrics: OrdinautMetrics) {
    let metrics = OrdinautMetrics(limits: configuration.extensionMetrics)
    let server = MCPServer(configuration: MCPServer.Configuration(
        version: ordinautVersion,
        instructions: "Ordinaut schedules and runs tool pipelines for AI agents.",
        requestStateKey: configuration.stateKey.map { Array($0.utf8) },
        observer: metrics, rateLimits: configuration.access.rateLimits
    ))
    return (server, metrics)
}

/// Builds the rest of the engine around `server` (see `buildEngine(configuration:extensions:logger:mcpEndpoint:)`).
public func buildEngine(on server: MCPServer, metrics: OrdinautMetrics, configuration: Configuration,
                        extensions: [CompiledExtension] = [], logger: Logger,
                        mcpEndpoint: (MCPServer, TaskStore) -> (any MCPEndpointMounting)? = { _, _ in nil }) async throws -> Engine {
    let store = try await openTaskStore(configuration: configuration) { [metrics] kind, duration in
        metrics.statementFinished(kind: kind, duration: duration)
    }
    let bus = ObservedEventBus(try makeEventBus(configuration, logger: logger), observer: metrics, clock: store.clock)
    metrics.observe(bus)
    var schedulerLogger = logger
    schedulerLogger[metadataKey: "component"] = "scheduler"
    let changes = ChangeFeed(replayCount: configuration.changesReplay, replayBytes: configuration.changesReplayBytes,
                             queueLimit: configuration.changesQueue)
    let tasks = TaskService(store: store, server: server, bus: bus, configuration: configuration.scheduler, observer: metrics,
                            changes: changes, logger: schedulerLogger)
    let mcpTasks = tasks.serveMCPTasks()
    var services: [any Service] = []
    switch configuration.fixture {
    case .conformance?: services.append(try ConformanceFixture(server: server, tasks: mcpTasks))
    case .bench?: try BenchFixture.register(on: server)
    case nil: break
    }
    var hostLogger = logger
    hostLogger[metadataKey: "component"] = "extensions"
    var hostConfiguration = configuration.extensions
    // A fixture serves exactly its reference surface: events_demo, the one built-in that adds
    // tools, stays off (a test compares the fixture's tools with the reference list).
    if configuration.fixture != nil { hostConfiguration.disabled.insert("events_demo") }
    hostConfiguration.childRecords = configuration.dataDirectory + "/children"
    let host = ExtensionHost(
        configuration: hostConfiguration, compiled: builtInExtensions + extensions, server: server, bus: bus,
        services: HostServices(mcpEndpoint: mcpEndpoint(server, store), metrics: metrics.host), changes: changes, logger: hostLogger)
    metrics.observe(host)
    services.append(host)

    // The fixtures serve a fixed surface; the scheduler's tools join every other one.
    let agents = AgentService(store: AgentStore(sharing: store))
    if configuration.fixture == nil {
        try TaskTools.register(tasks)
        try AgentTools.register(on: server, service: agents) { $0.principal.displayName }
    }
    services.append(SchedulerLoop(service: tasks, logger: schedulerLogger))
    services.append(WorkerPool(service: tasks, logger: schedulerLogger))
    services.append(MetricsSampler(store: store, metrics: metrics, interval: .seconds(configuration.metricsSampleSeconds), logger: schedulerLogger))
    return Engine(server: server, extensions: host, tasks: tasks, agents: agents, metrics: metrics, services: services)
}

/// The Redis Streams bus when `ORDINAUT_REDIS_URL` is set, otherwise the in-process bus.
func makeEventBus(_ configuration: Configuration, logger: Logger) throws -> any EventBus {
    guard let text = configuration.redisURL else {
        return InProcessEventBus(limits: configuration.events, logger: logger)
    }
    do {
        var settings = RedisEventBus.Configuration(url: try RedisURL(text))
        settings.retention = configuration.events.retention
        settings.payloadBytes = configuration.events.payloadBytes
        return try RedisEventBus(configuration: settings, logger: logger)
    } catch {
        throw ConfigurationError("ORDINAUT_REDIS_URL=\(text): \(error)")
    }
}

/// Mounts the MCP Streamable HTTP endpoint for the `mcp_http` extension.
struct MCPEndpointMount: MCPEndpointMounting {
    let endpoint: MCPHTTPEndpoint

    func mount(on routes: ExtensionRoutes, at path: String) {
        endpoint.addStreamableRoutes(to: routes, at: RouterPath(path))
    }
}

/// Builds the HTTP application (`ordinaut serve`): MCP Streamable HTTP at `/mcp`, the legacy
/// HTTP+SSE transport, the REST API with health endpoints, and the extensions at `/ext/<id>/` with `/ext/status`,
/// `/extensions` and `/tools`. `first` are services started before the rest and stopped after
/// them (the tracing processor).
public func buildApplication(configuration: Configuration, extensions: [CompiledExtension] = [],
                             logger: Logger, first: [any Service] = []) async throws -> some ApplicationProtocol {
    try checkExposure(configuration, logger: logger)
    var http = MCPHTTPConfiguration(
        maxBodyBytes: configuration.maxBodyBytes, allowedOrigins: configuration.allowedOrigins,
        allowedHosts: configuration.allowedHosts, bindHost: configuration.host, maxSessions: configuration.maxSessions,
        maxSessionsPerPrincipal: configuration.access.maxSessionsPerPrincipal,
        sessionIdleSeconds: configuration.sessionIdleSeconds, replayBufferSize: configuration.replayBufferSize)
    http.replayBufferBytes = configuration.replayBufferBytes
    var endpoint: MCPHTTPEndpoint?
    var gate: AccessGate?
    var auditor: RefusalAuditor?
    var gateProblem: ConfigurationError?
    let engine = try await buildEngine(configuration: configuration, extensions: extensions, logger: logger) { server, store in
        let refusals = RefusalAuditor(audit: store.audit, logger: logger)
        auditor = refusals
        let access: AccessGate
        do throws(ConfigurationError) {
            access = try makeAccessGate(configuration, agents: AgentStore(sharing: store), observer: server.configuration.observer,
                                        auditor: refusals, logger: logger)
        } catch {
            gateProblem = error
            return nil
        }
        gate = access
        let made = MCPHTTPEndpoint(server: server, configuration: http, gate: access, logger: logger)
        endpoint = made
        return MCPEndpointMount(endpoint: made)
    }
    if let gateProblem { throw gateProblem }
    let router = Router(context: ExtensionRequestContext.self)
    // The server span of each request, parented by its `traceparent` header; absent when tracing is off.
    // The web UI's OAuth callback carries a code and a state in its query: they stay out of traces.
    if let tracer = Spans.tracer { router.add(middleware: ServerSpanMiddleware(tracer: tracer, redactingQueryParameters: ["code", "state"])) }
    router.add(middleware: HTTPMetricsMiddleware(metrics: engine.metrics))
    // Every route below goes through the access layer; it must come before them.
    router.add(middleware: AccessMiddleware(gate: gate!))
    gate!.addMetadataRoutes(to: router)
    SessionAPI(gate: gate!).addRoutes(to: router)
    OAuthSignInAPI(gate: gate!)?.addRoutes(to: router)
    endpoint!.addRoutes(to: router)
    TaskAPI(service: engine.tasks, maxBodyBytes: configuration.maxBodyBytes).addRoutes(to: router)
    AuditAPI(audit: engine.tasks.store.audit).addRoutes(to: router)
    AgentAPI(service: engine.agents, maxBodyBytes: configuration.maxBodyBytes).addRoutes(to: router)
    let host = engine.extensions
    OverviewAPI(service: engine.tasks, maxBodyBytes: configuration.maxBodyBytes, extensionsInError: { host.failedExtensions() }).addRoutes(to: router)
    ChangesAPI(feed: engine.tasks.changes, keepAlive: .milliseconds(Int64(configuration.changesKeepAliveSeconds * 1000))).addRoutes(to: router)
    DocumentsAPI(openAPI: ExtensionHost.openAPIDocument, webUIEnabled: host.isLoaded("webui")).addRoutes(to: router)
    engine.extensions.addRoutes(to: router)
    engine.extensions.addEventTailRoute(to: router)
    // Upgrades are decided by a router that holds only the extension mount points: only extensions'
    // `ws` routes accept WebSockets, and only after the same access checks (Origin included).
    let webSockets = Router(context: ExtensionRequestContext.self)
    webSockets.add(middleware: AccessMiddleware(gate: gate!))
    engine.extensions.addWebSocketRoutes(to: webSockets)
    let connections = ConnectionGuard(limits: configuration.connectionLimits, logger: logger)
    return Application(
        router: router,
        server: guardedServer(connections, webSockets: webSockets),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ordinaut"),
        services: first + engine.services + [endpoint!.sessionReaper, auditor!],
        onServerRunning: { channel in
            do {
                try await connections.install(on: channel)
            } catch {
                logger.error("cannot watch the HTTP accept loop; connections beyond the limit will wait in the backlog: \(error)")
            }
        },
        logger: logger
    )
}

/// HTTP/1 with WebSocket upgrades, under the connection limits; the header-size limit goes to NIO's
/// request decoder, the deadlines replace Hummingbird's idle timeout.
func guardedServer(_ connections: ConnectionGuard, webSockets: Router<ExtensionRequestContext>) -> HTTPServerBuilder {
    let webSocketResponder = webSockets.buildResponder()
    let maxHeaderBytes = connections.limits.maxHeaderBytes
    let http1 = HTTP1Channel.Configuration(idleTimeout: nil, httpDecoderConfiguration: .init(
        maxHeaderFieldSize: maxHeaderBytes, maxHeaderListSize: maxHeaderBytes))
    return HTTPServerBuilder { responder in
        connections.wrap(HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                      configuration: .init(http1: http1)))
    }
}

/// Builds the stdio service group (`ordinaut stdio`). Extension tools are offered; routes are not.
/// End of input and SIGTERM take the same path: the group shuts down, running scheduled work is
/// handed back at once (retried at the next start or by another node) and extensions get half a
/// second to stop, so that the process exits about a second after its client lets go.
public func buildStdioApplication(configuration: Configuration, extensions: [CompiledExtension] = [],
                                  logger: Logger, first: [any Service] = []) async throws -> ServiceGroup {
    var configuration = configuration
    configuration.scheduler.shutdownGrace = .zero
    configuration.extensions.stopBudget = .milliseconds(500)
    configuration.extensions.routesServed = false
    // The transport serves from the first instant; opening the database, building the scheduler and
    // activating eager extensions happen behind it. `initialize` needs none of it, and requests
    // that read or use the surface wait until it is complete.
    let (server, metrics) = makeServer(configuration: configuration)
    server.promiseTasks()
    let transport = StdioTransport(
        server: server,
        configuration: .init(maximumMessageSize: configuration.maxBodyBytes, maximumPendingBytes: configuration.stdioMaxPendingBytes,
                             maximumInFlight: configuration.access.maxRequestsPerPrincipal,
                             principal: configuration.access.stdioPrincipal), logger: logger)
    // Subprocess extensions' answers are read on the transport's thread, where the calls wait for them.
    configuration.extensions.lineReactor = transport.lineReactor
    let engine = DeferredEngine(server: server, logger: logger) { [configuration] in
        try await buildEngine(on: server, metrics: metrics, configuration: configuration, extensions: extensions, logger: logger)
    }
    // The process ends when stdin closes: the transport finishing shuts the group down.
    return ServiceGroup(configuration: .init(
        services: first.map { .named($0) } + [.named(engine), .named(transport, onSuccess: .gracefullyShutdownGroup)],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
}
