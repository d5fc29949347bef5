@_exported import HTTPTypes
@_exported import Hummingbird
@_exported import HummingbirdWebSocket
@_exported import Logging
import NIOCore
@_exported import OrdinautAuth
@_exported import OrdinautCore
@_exported import OrdinautEvents
@_exported import OrdinautMCP

/// Who an extension is. The id must equal the manifest's `id`; it names the tool namespace
/// (`ext.<id>.`), the mount point (`/ext/<id>/`) and the event streams (`ext:<id>:…`).
public struct ExtensionInfo: Sendable, Equatable {
    public let id: String
    public let name: String
    public let version: String
    public let description: String?

    public init(id: String, name: String, version: String, description: String? = nil) {
        self.id = id
        self.name = name
        self.version = version
        self.description = description
    }
}

/// What a tool handler receives besides its arguments (progress, logging, input requests). Spelled
/// out because Hummingbird, which extensions also see, has a `RequestContext` of its own.
public typealias ToolCallContext = OrdinautMCP.RequestContext

/// The request context of every route: able to upgrade to a WebSocket, and carrying the principal
/// the access layer authenticated (`context.principal`), which an extension's routes may use to
/// decide finer things themselves.
public struct ExtensionRequestContext: Hummingbird.RequestContext, WebSocketRequestContext, RemoteAddressRequestContext, PrincipalCarrying {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
        principal = nil
    }

    /// The peer's IP address without its port.
    public var clientAddress: String? { remoteAddress?.clientAddressText }
}

/// The routes an extension serves, mounted at `/ext/<id>`. Create one with `context.routes()`;
/// `routes.ws(path) { inbound, outbound, context in … }` adds a WebSocket route.
public typealias ExtensionRoutes = RouteCollection<ExtensionRequestContext>

/// A compiled-in extension.
///
/// The host calls `setup(context:)` once, when the extension activates (at startup when it is
/// eager, otherwise on its first route request, tool call or event), then `startup(context:)`;
/// `shutdown(context:)` runs when the host stops. Each phase has a time limit (10 s by default).
/// Everything the extension may do comes from `context`, one facet per granted capability.
public protocol Extension: Sendable {
    var info: ExtensionInfo { get }
    var requestedCapabilities: Set<Capability> { get }

    /// Registers tools, subscriptions and background work, and returns the routes to mount
    /// (`nil` for none). Throwing puts the extension in the error state; the host keeps running.
    func setup(context: ExtensionContext) async throws -> ExtensionRoutes?

    /// Runs after `setup` succeeded and the routes are mounted.
    func startup(context: ExtensionContext) async throws

    /// Runs when the host shuts down, before background tasks are stopped.
    func shutdown(context: ExtensionContext) async throws
}

extension Extension {
    public func startup(context: ExtensionContext) async throws {}
    public func shutdown(context: ExtensionContext) async throws {}
}

/// An extension used something it was not granted. Never ignored silently: the message names the
/// capability and the manifest line to change.
public struct CapabilityError: Error, Sendable, CustomStringConvertible {
    public let extensionID: String
    public let capability: Capability
    /// Where the grant is configured (`extensions/x/extension.json`, or `ORDINAUT_EXT_ENTRY_GRANTS`).
    public let grantSource: String

    public init(extensionID: String, capability: Capability, grantSource: String) {
        self.extensionID = extensionID
        self.capability = capability
        self.grantSource = grantSource
    }

    public var description: String {
        "extension \"\(extensionID)\" used capability \(capability.rawValue), which it was not granted; add \"\(capability.rawValue)\" to \"grants\" in \(grantSource) (and to the extension's requested capabilities)"
    }
}
