import Logging
import OrdinautMCP
import ServiceLifecycle

/// Builds the engine while a transport already serves `server`, then runs the engine's services.
///
/// From its creation until the engine is built, it holds the server's surface: requests that read
/// or use the registries (`tools/list`, `tools/call`, tasks) wait, and the rest (`initialize`,
/// `ping`, discovery) is answered at once. When building fails, the error ends the service group,
/// and with it the process, as a failure at start would.
struct DeferredEngine: Service {
    private let hold: SurfaceHold
    private let build: @Sendable () async throws -> Engine
    private let logger: Logger

    init(server: MCPServer, logger: Logger, build: @escaping @Sendable () async throws -> Engine) {
        hold = server.holdSurface()
        self.build = build
        self.logger = logger
    }

    func run() async throws {
        let engine: Engine
        do {
            engine = try await build()
        } catch {
            hold.release()
            throw error
        }
        hold.release()
        // Shut down in reverse order when the enclosing group is (a nested group follows its parent).
        try await ServiceGroup(configuration: .init(services: engine.services.map { .named($0) }, logger: logger)).run()
    }
}
