import Hummingbird
import Logging
import OrdinautHTTP
import OrdinautMCP
import OrdinautStdio
import ServiceLifecycle
import UnixSignals

/// The version `ordinaut --version` prints and `serverInfo` reports.
public let ordinautVersion = "0.1.0"

/// The engine and the background services that belong to it, as configured.
public struct Engine: Sendable {
    public let server: MCPServer
    public let services: [any Service]
}

/// Builds the MCP engine with everything the configuration asks for. Both transports start here.
public func buildEngine(configuration: Configuration) throws -> Engine {
    let server = MCPServer(configuration: MCPServer.Configuration(
        version: ordinautVersion,
        instructions: "Ordinaut schedules and runs tool pipelines for AI agents.",
        requestStateKey: configuration.stateKey.map { Array($0.utf8) }
    ))
    var services: [any Service] = []
    switch configuration.fixture {
    case .conformance?: services.append(try ConformanceFixture(server: server))
    case .bench?: try BenchFixture.register(on: server)
    case nil: break
    }
    return Engine(server: server, services: services)
}

/// Builds the HTTP application (`ordinaut serve`): MCP Streamable HTTP at `/mcp`, the legacy
/// HTTP+SSE transport, and health endpoints.
public func buildApplication(configuration: Configuration, logger: Logger) throws -> some ApplicationProtocol {
    let engine = try buildEngine(configuration: configuration)
    let http = MCPHTTPConfiguration(
        maxBodyBytes: configuration.maxBodyBytes, allowedOrigins: configuration.allowedOrigins,
        allowedHosts: configuration.allowedHosts, bindHost: configuration.host, maxSessions: configuration.maxSessions,
        sessionIdleSeconds: configuration.sessionIdleSeconds, replayBufferSize: configuration.replayBufferSize)
    let endpoint = MCPHTTPEndpoint(server: engine.server, configuration: http, logger: logger)
    let router = Router()
    endpoint.addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ordinaut"),
        services: engine.services + [endpoint.sessionReaper],
        logger: logger
    )
}

/// Builds the stdio service group (`ordinaut stdio`).
public func buildStdioApplication(configuration: Configuration, logger: Logger) throws -> ServiceGroup {
    let engine = try buildEngine(configuration: configuration)
    let transport = StdioTransport(
        server: engine.server,
        configuration: .init(maximumMessageSize: configuration.maxBodyBytes), logger: logger)
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = engine.services.map { .init(service: $0) }
    // The process ends when stdin closes: the transport finishing shuts the group down.
    services.append(.init(service: transport, successTerminationBehavior: .gracefullyShutdownGroup))
    return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
}
