import Crypto
import OrdinautAuth
import OrdinautCore

/// The MCP engine: the registries and everything that answers protocol methods. Transports create
/// `MCPConnection`s on it; extensions and the scheduler register tools in its registries.
public final class MCPServer: Sendable {
    /// How the engine behaves; every field has a documented default.
    public struct Configuration: Sendable {
        /// The name, version and title the server reports.
        public var name: String
        public var version: String
        public var title: String?
        /// Guidance for models, sent in `initialize` and `server/discover` results.
        public var instructions: String?
        /// Items per page of every list method.
        public var pageSize: Int
        /// How long clients may cache list and read results (stateless era), in milliseconds.
        public var cacheTTLMilliseconds: Int
        /// The key that integrity-protects `requestState`; random per process unless configured, so
        /// set it (32+ bytes) when several nodes serve the same clients.
        public var requestStateKey: [UInt8]
        /// How long a `requestState` stays valid, in seconds.
        public var requestStateLifetime: Int
        /// How long to wait for the client to answer a server-to-client request, in seconds.
        public var clientRequestTimeout: Double
        /// The log level used in a session until the client calls `logging/setLevel`.
        public var defaultSessionLogLevel: LogLevel
        /// Told about every request and tool call (metrics).
        public var observer: (any MCPObserver)?
        /// Tool-call limits per principal (`ORDINAUT_TOOL_RATE_*`); scheduled runs are not limited.
        public var rateLimits: RateLimitPolicy

        public init(
            name: String = "ordinaut", version: String = "0.1.0", title: String? = "Ordinaut",
            instructions: String? = nil, pageSize: Int = 100, cacheTTLMilliseconds: Int = 0,
            requestStateKey: [UInt8]? = nil, requestStateLifetime: Int = 600, clientRequestTimeout: Double = 300,
            defaultSessionLogLevel: LogLevel = .info, observer: (any MCPObserver)? = nil,
            rateLimits: RateLimitPolicy = RateLimitPolicy()
        ) {
            self.rateLimits = rateLimits
            self.name = name
            self.version = version
            self.title = title
            self.instructions = instructions
            self.pageSize = pageSize
            self.cacheTTLMilliseconds = cacheTTLMilliseconds
            self.requestStateKey = requestStateKey ?? SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            self.requestStateLifetime = requestStateLifetime
            self.clientRequestTimeout = clientRequestTimeout
            self.defaultSessionLogLevel = defaultSessionLogLevel
            self.observer = observer
        }
    }

    public let configuration: Configuration
    public let tools: ToolRegistry
    public let resources: ResourceRegistry
    public let prompts: PromptRegistry
    let changes: ChangeHub
    let taskBackend = TaskBackendSlot()
    let requestState: RequestStateCodec
    /// The tool-call buckets of every principal.
    public let rateLimiter = RateLimiter()
    let methods: [String: any MethodHandler]
    let surfaceGate = SurfaceGate()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        changes = ChangeHub(gate: surfaceGate)
        tools = ToolRegistry(changes: changes)
        resources = ResourceRegistry(changes: changes)
        prompts = PromptRegistry(changes: changes)
        requestState = RequestStateCodec(key: configuration.requestStateKey, lifetime: configuration.requestStateLifetime)
        let handlers: [any MethodHandler] = [
            DiscoverMethod(), PingMethod(), SetLogLevelMethod(), CompleteMethod(),
            ListToolsMethod(), CallToolMethod(),
            ListResourcesMethod(), ListResourceTemplatesMethod(), ReadResourceMethod(),
            SubscribeMethod(), UnsubscribeMethod(), ListenMethod(),
            ListPromptsMethod(), GetPromptMethod(),
            GetTaskMethod(), UpdateTaskMethod(), CancelTaskMethod(), TaskResultMethod(), ListTasksMethod(),
        ]
        methods = Dictionary(uniqueKeysWithValues: handlers.map { (type(of: $0).name, $0) })
        var info: JSONObject = ["name": .string(configuration.name), "version": .string(configuration.version)]
        if let title = configuration.title { info["title"] = .string(title) }
        serverInfo = .object(info)
    }

    /// The implementation description sent as `serverInfo` (and in every stateless result's `_meta`).
    public let serverInfo: JSONValue

    /// The capabilities this server offers in `initialize` and `server/discover` results.
    func capabilities(era: ProtocolEra) -> JSONValue {
        var object: JSONObject = [
            "tools": ["listChanged": true],
            // Both eras serve subscriptions: resources/subscribe, or subscriptions/listen's resourceSubscriptions.
            "resources": ["subscribe": true, "listChanged": true],
            "prompts": ["listChanged": true],
            "logging": [:],
        ]
        if era.version >= "2025-03-26" { object["completions"] = [:] }
        if taskBackend.isPromised {
            if era.isStateless {
                object["extensions"] = [TasksExtension.identifier: [:]]
            } else if era.version >= "2025-11-25" {
                object["tasks"] = ["list": [:], "cancel": [:], "requests": ["tools": ["call": [:]]]]
            }
        }
        return .object(object)
    }

    /// Serves MCP tasks from `backend` (`tasks/*`, task results of `tools/call`) from now on.
    public func serveTasks(with backend: any MCPTaskBackend) {
        taskBackend.set(backend)
    }

    /// Declares that tasks will be served once the backend is set (`serveTasks(with:)`), for a
    /// transport that answers `initialize` while the engine is still being built; requests that use
    /// tasks wait for the surface meanwhile.
    public func promiseTasks() {
        taskBackend.promise()
    }

    /// Tells listeners of task `id` that it changed (`notifications/tasks`).
    public func taskUpdated(_ id: String) {
        changes.publish(.taskUpdated(id: id))
    }

    /// The parameter that names `method`'s target (HTTP's `Mcp-Name` repeats it), if it has one.
    public func targetParameter(of method: String) -> String? {
        methods[method].flatMap { type(of: $0).targetParameter }
    }

    /// Whether `method`'s handler may send messages while it runs (log, progress, requests to the client).
    public func mayTalkBack(_ method: String) -> Bool {
        methods[method].map { type(of: $0).mayTalkBack } ?? false
    }

    /// Makes requests that read or use the registries wait until the returned hold, and every
    /// other, is released: for whoever fills them at start (the engine being built behind a
    /// transport that already serves, the host while eager extensions register).
    public func holdSurface() -> SurfaceHold {
        surfaceGate.hold()
    }

    /// Whether `method` is something this server answers in some era.
    public func knows(method: String) -> Bool {
        method == "initialize" || methods[method] != nil
    }

    /// Tells subscribers that a resource changed (`notifications/resources/updated`).
    public func resourceUpdated(_ uri: String) {
        resources.notifyUpdated(uri)
    }
}
