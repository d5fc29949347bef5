import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Ordinaut
import OrdinautCore
import OrdinautEvents
import OrdinautExtensionHost
import OrdinautExtensionKit
import OrdinautMCP

/// One extension set up in isolation with the grants a test chooses — the Swift counterpart of the
/// seed's "Testing Extensions": drive its routes over HTTP (in process), call its tools through a
/// real MCP engine, and publish or read events on a real in-process bus.
public final class ExtensionHarness: Sendable {
    public let server: MCPServer
    public let bus: InProcessEventBus
    public let supervisor: TaskSupervisor
    public let context: ExtensionContext
    public let client: TestClient
    private let routes: SetupResult

    /// Runs `setup` and `startup` of `extension` with `grants` (intersected with what it requests,
    /// as the host does). `declarations` are the tools its manifest declares, for `implement`;
    /// `templates` are the contents of its `templates/` folder (name → Mustache text).
    public init(_ extension: any Extension, grants: Set<Capability>, declarations: [ToolDeclaration] = [],
                directory: String? = nil, templates: [String: String] = [:]) async throws {
        server = MCPServer()
        bus = InProcessEventBus()
        supervisor = TaskSupervisor()
        let id = `extension`.info.id
        let granted = `extension`.requestedCapabilities.intersection(grants)
        context = ExtensionContext(
            info: `extension`.info, grants: granted, grantSource: "the test's grants", directory: directory,
            logger: Logger(label: "test.\(id)"),
            tools: ToolRegistrar(extensionID: id, server: server, declarations: declarations),
            events: ExtensionEvents(extensionID: id, bus: bus, grants: granted, grantSource: "the test's grants"),
            background: BackgroundTasks(extensionID: id, supervisor: supervisor), templates: { templates })
        routes = SetupResult(routes: try await `extension`.setup(context: context))
        try await `extension`.startup(context: context)
        client = TestClient(server: server, kind: .httpStateless)
    }

    /// Calls a tool through the engine (arguments are validated against its schema) and returns the
    /// `tools/call` result.
    public func callTool(_ name: String, _ arguments: JSONObject = [:]) async throws -> JSONValue {
        let response = await client.statelessRequest("tools/call", ["name": .string(name), "arguments": .object(arguments)])
        switch response?.outcome {
        case .success(let result)?: return result
        case .failure(let error)?: throw error
        case nil: throw CancellationError()
        }
    }

    /// Runs `body` against the extension's routes, mounted at `/ext/<id>` as the host mounts them.
    public func testRoutes<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let router = Router(context: ExtensionRequestContext.self)
        if let collection = routes.routes {
            router.addRoutes(collection, atPath: RouterPath(context.mountPath))
        }
        return try await Application(router: router).test(.router, body)
    }

    /// Stops the extension's background tasks and subscriptions.
    public func tearDown() async {
        await supervisor.stopAll(within: .seconds(5))
    }
}

private struct SetupResult: @unchecked Sendable {
    let routes: ExtensionRoutes?
}

/// Runs `body` against a whole Ordinaut HTTP application (built-ins plus `extensions`, configured by
/// `configure`), with its services running, as `ordinaut serve` would.
public func withOrdinautApplication<Value: Sendable>(
    extensions: [CompiledExtension] = [], configure: (inout Configuration) -> Void = { _ in },
    _ body: @Sendable (any TestClientProtocol) async throws -> Value
) async throws -> Value {
    var configuration = Configuration()
    // Tasks and runs live in memory unless the test says otherwise.
    configuration.databaseURL = "sqlite::memory:"
    configure(&configuration)
    let application = try await buildApplication(configuration: configuration, extensions: extensions, logger: Logger(label: "test"))
    return try await application.test(.router, body)
}
