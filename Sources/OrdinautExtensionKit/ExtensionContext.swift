import OrdinautCore
import Synchronization

/// Everything an extension may use, handed out one facet per granted capability. Asking for a facet
/// whose capability was not granted throws `CapabilityError`.
public final class ExtensionContext: Sendable {
    public let info: ExtensionInfo
    /// The capabilities granted: requested ∩ configured grants. Fixed for the extension's lifetime.
    public let grants: Set<Capability>
    /// `/ext/<id>`.
    public let mountPath: String
    /// The extension's folder, when it has one (its manifest's directory).
    public let directory: String?
    public let logger: Logger
    private let grantSource: String
    private let toolRegistrar: ToolRegistrar
    private let eventFacade: ExtensionEvents
    private let backgroundFacade: BackgroundTasks
    private let services: HostServices
    private let templateSources: @Sendable () throws -> [String: String]
    private let compiledTemplates = Mutex<Templates?>(nil)

    /// `templates` reads the extension's `templates/` folder (name → text) when first asked for.
    public init(
        info: ExtensionInfo, grants: Set<Capability>, grantSource: String, directory: String?, logger: Logger,
        tools: ToolRegistrar, events: ExtensionEvents, background: BackgroundTasks, services: HostServices = HostServices(),
        templates: @escaping @Sendable () throws -> [String: String] = { [:] }
    ) {
        self.info = info
        self.grants = grants
        self.grantSource = grantSource
        mountPath = "/ext/\(info.id)"
        self.directory = directory
        self.logger = logger
        toolRegistrar = tools
        eventFacade = events
        backgroundFacade = background
        self.services = services
        templateSources = templates
    }

    /// The Mustache templates of the extension's `templates/` folder, compiled on first use and
    /// kept (a built-in's are compiled into the binary from `extensions/<id>/templates/`). Rendering
    /// needs no capability: what is rendered goes out only through routes the extension was granted.
    public func templates() throws(TemplatesError) -> Templates {
        if let compiled = compiledTemplates.withLock({ $0 }) { return compiled }
        let sources: [String: String]
        do {
            sources = try templateSources()
        } catch {
            throw TemplatesError("the templates of extension \"\(info.id)\" cannot be read: \(error)")
        }
        let compiled = try Templates(sources: sources)
        compiledTemplates.withLock { $0 = compiled }
        return compiled
    }

    /// Fails unless `capability` was granted.
    public func require(_ capability: Capability) throws(CapabilityError) {
        guard grants.contains(capability) else {
            throw CapabilityError(extensionID: info.id, capability: capability, grantSource: grantSource)
        }
    }

    /// The tool, resource and prompt registrar, confined to `ext.<id>.` (`TOOLS`).
    public var tools: ToolRegistrar {
        get throws(CapabilityError) {
            try require(.tools)
            return toolRegistrar
        }
    }

    /// Publishing (`EVENTS_PUB`) and subscribing (`EVENTS_SUB`); each method checks its own grant.
    public var events: ExtensionEvents {
        get throws(CapabilityError) {
            guard grants.contains(.eventsPublish) || grants.contains(.eventsSubscribe) else {
                throw CapabilityError(extensionID: info.id, capability: .eventsPublish, grantSource: grantSource)
            }
            return eventFacade
        }
    }

    /// Supervised background tasks (`BACKGROUND_TASKS`).
    public var background: BackgroundTasks {
        get throws(CapabilityError) {
            try require(.backgroundTasks)
            return backgroundFacade
        }
    }

    /// A new, empty route collection to fill and return from `setup` (`ROUTES`).
    public func routes() throws(CapabilityError) -> ExtensionRoutes {
        try require(.routes)
        return ExtensionRoutes(context: ExtensionRequestContext.self)
    }

    /// The extension's `static/` folder, served at `/ext/<id>/static/` (`STATIC`).
    public var staticDirectory: String {
        get throws(CapabilityError) {
            try require(.staticFiles)
            guard let directory else {
                throw CapabilityError(extensionID: info.id, capability: .staticFiles, grantSource: grantSource)
            }
            return directory + "/static"
        }
    }

    /// Mounts this host's MCP Streamable HTTP endpoint on `routes` at `path` (`ROUTES`): the same
    /// engine, tools and sessions as `/mcp`.
    public func mountMCPEndpoint(on routes: ExtensionRoutes, at path: String = "/") throws(CapabilityError) {
        try require(.routes)
        services.mcpEndpoint?.mount(on: routes, at: path)
    }

    /// The host's metrics in the Prometheus text format (`ROUTES`, to serve them); `nil` when the
    /// host keeps none.
    public func metricsExposition() throws(CapabilityError) -> (any MetricsExposition)? {
        try require(.routes)
        return services.metrics
    }
}

/// What the host shares with extensions beyond the capability facets.
public struct HostServices: Sendable {
    public var mcpEndpoint: (any MCPEndpointMounting)?
    public var metrics: (any MetricsExposition)?

    public init(mcpEndpoint: (any MCPEndpointMounting)? = nil, metrics: (any MetricsExposition)? = nil) {
        self.mcpEndpoint = mcpEndpoint
        self.metrics = metrics
    }
}

/// The host's MCP HTTP endpoint, as an extension may mount it.
public protocol MCPEndpointMounting: Sendable {
    func mount(on routes: ExtensionRoutes, at path: String)
}

/// The host's metrics, rendered on demand.
public protocol MetricsExposition: Sendable {
    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    func prometheusText() -> [UInt8]
}
