import Foundation
import Logging
import OrdinautCore
import OrdinautEvents
import OrdinautExtensionHost
import OrdinautExtensionKit
import OrdinautHTTP
import OrdinautScheduler
import OrdinautSQLite
import OrdinautTracing

/// How log lines are written (`ORDINAUT_LOG_FORMAT`).
public enum LogFormat: String, Sendable {
    /// swift-log's stream format: a human reads it.
    case text
    /// One JSON object a line (`JSONLogHandler`): a log shipper reads it.
    case json
}

/// Everything an `ordinaut` process can be told, with its defaults. `init(environment:)` reads the
/// `ORDINAUT_*` variables (all listed in the README); command-line flags override them.
public struct Configuration: Sendable {
    /// A built-in surface to serve instead of (or besides) the normal one.
    public enum Fixture: String, Sendable, CaseIterable {
        /// The official MCP conformance suite's reference surface.
        case conformance
        /// One `echo` tool, for the benchmarks in `bench/`.
        case bench
    }

    /// Interface to bind (`ORDINAUT_HOST`). Loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// Port to bind (`ORDINAUT_PORT`); 0 picks a free one.
    public var port = 8080
    /// Log level on stderr (`ORDINAUT_LOG_LEVEL`: trace, debug, info, notice, warning, error, critical).
    public var logLevel: Logger.Level = .info
    /// How log lines are written on stderr (`ORDINAUT_LOG_FORMAT`: text, or json for one object a line).
    public var logFormat = LogFormat.text
    /// OpenTelemetry tracing, from the standard `OTEL_*` variables; off unless an OTLP endpoint is set.
    public var tracing = TracingConfiguration()
    /// Browser origins allowed to call the MCP endpoints (`ORDINAUT_ALLOWED_ORIGINS`, comma-separated);
    /// loopback origins are always allowed.
    public var allowedOrigins: [String] = []
    /// Host header values accepted besides loopback names (`ORDINAUT_ALLOWED_HOSTS`, comma-separated),
    /// the defence against DNS rebinding.
    public var allowedHosts: [String] = []
    /// Largest accepted request body or stdio line (`ORDINAUT_MAX_BODY_BYTES`).
    public var maxBodyBytes = 4 * 1024 * 1024
    /// Output bytes waiting for a stdio client that does not read, past which its input is no longer
    /// read and notifications to it are dropped (`ORDINAUT_STDIO_MAX_PENDING_BYTES`).
    public var stdioMaxPendingBytes = 16 << 20
    /// Most concurrent HTTP sessions (`ORDINAUT_MAX_SESSIONS`).
    public var maxSessions = 1000
    /// Seconds of inactivity after which an HTTP session expires (`ORDINAUT_SESSION_IDLE_SECONDS`).
    public var sessionIdleSeconds = 1800
    /// Deadlines, header size and connection count of the HTTP server (`ORDINAUT_HTTP_HEADER_TIMEOUT`,
    /// `ORDINAUT_HTTP_BODY_TIMEOUT`, `ORDINAUT_HTTP_IDLE_TIMEOUT`, `ORDINAUT_HTTP_MAX_HEADER_BYTES`,
    /// `ORDINAUT_HTTP_MAX_CONNECTIONS`). The connection default follows the descriptor limit.
    public var connectionLimits = ConnectionLimits(maxConnections: ConnectionLimits.maxConnections(descriptorLimit: Configuration.descriptorLimit()))
    /// Server-stream events kept per session for `Last-Event-ID` replay (`ORDINAUT_REPLAY_BUFFER`).
    public var replayBufferSize = 256
    /// Bytes of those events kept per session (`ORDINAUT_REPLAY_BUFFER_BYTES`).
    public var replayBufferBytes = 4 << 20
    /// The change stream (`GET /changes`): changes kept for `Last-Event-ID` replay
    /// (`ORDINAUT_CHANGES_REPLAY`, `ORDINAUT_CHANGES_REPLAY_BYTES`), changes queued per client before
    /// a slow one is cut off (`ORDINAUT_CHANGES_QUEUE`), and the keep-alive interval
    /// (`ORDINAUT_CHANGES_KEEPALIVE_SECONDS`).
    public var changesReplay = 1000
    public var changesReplayBytes = 1 << 20
    public var changesQueue = 1000
    public var changesKeepAliveSeconds = 15.0
    /// Key for `requestState` integrity (`ORDINAUT_STATE_KEY`, at least 32 characters); random per
    /// process when unset, so set it when several nodes serve the same clients.
    public var stateKey: String?
    /// The bearer token the command line sends to a running server (`ORDINAUT_TOKEN`, used by
    /// `tools call --server`).
    public var serverToken: String?
    /// Surface to serve (`--fixture`).
    public var fixture: Fixture?
    /// Extension discovery and grants (`ORDINAUT_EXT_*`, `ORDINAUT_STRIP_HEADERS`, `ORDINAUT_WEBHOOK_SECRETS`).
    public var extensions = ExtensionHostConfiguration()
    /// Credentials, scopes, limits and browser rules (`ORDINAUT_REQUIRE_SCOPES`, `ORDINAUT_OAUTH_*`, …).
    public var access = AccessSettings()
    /// What the event bus keeps and queues (`ORDINAUT_EVENTS_*`).
    public var events = EventLimits()
    /// Redis for the event bus (`ORDINAUT_REDIS_URL`, `redis://[:password@]host[:port][/db]`); the
    /// in-process bus when unset.
    public var redisURL: String?
    /// Where tasks and runs are stored (`ORDINAUT_DATABASE_URL`): `sqlite:PATH`, or
    /// `postgres://user:password@host:port/database` for several nodes. Unset: SQLite at
    /// `<data directory>/ordinaut.db`.
    public var databaseURL: String?
    /// The data directory (`ORDINAUT_DATA_DIR`; default `$XDG_DATA_HOME/ordinaut`, else `~/.local/share/ordinaut`).
    public var dataDirectory = Configuration.defaultDataDirectory()
    /// SQLite's `synchronous` setting (`ORDINAUT_SQLITE_SYNCHRONOUS`: full, normal, off).
    public var sqliteSynchronous = SQLiteDatabase.Synchronous.normal
    /// PostgreSQL connections per process (`ORDINAUT_DATABASE_POOL`).
    public var databasePoolSize = 4
    /// Workers, leases, misfires and retries (`ORDINAUT_WORKERS`, `ORDINAUT_SCHEDULER`, …).
    public var scheduler = SchedulerConfiguration(nodeID: Configuration.defaultNodeID())
    /// How often the gauges that need a query (tasks, backlog, approvals, workers alive) are read
    /// (`ORDINAUT_METRICS_SAMPLE_SECONDS`).
    public var metricsSampleSeconds = 15
    /// Families and label combinations each extension's own metrics may have
    /// (`ORDINAUT_EXT_METRIC_FAMILIES`, `ORDINAUT_EXT_METRIC_SERIES`).
    public var extensionMetrics = HostMetrics.Limits()

    public init() {}

    /// The SQLite file used when `ORDINAUT_DATABASE_URL` is unset.
    public var defaultDatabasePath: String { dataDirectory + "/ordinaut.db" }

    static func defaultDataDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/ordinaut" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/ordinaut"
    }

    static func defaultNodeID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(String(UInt16.random(in: .min ... .max), radix: 16))"
    }

    /// Defaults overridden by `ORDINAUT_*` variables; a malformed value is an error naming it.
    public init(environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_HOST"] { host = value }
        if let value = environment["ORDINAUT_PORT"] { port = try Self.integer(value, "ORDINAUT_PORT", range: 0...65535) }
        if let value = environment["ORDINAUT_LOG_LEVEL"] { logLevel = try Self.level(value, "ORDINAUT_LOG_LEVEL") }
        if let value = environment["ORDINAUT_LOG_FORMAT"] {
            guard let format = LogFormat(rawValue: value.lowercased()) else {
                throw ConfigurationError("ORDINAUT_LOG_FORMAT=\(value): use text or json")
            }
            logFormat = format
        }
        do throws(TracingConfigurationError) {
            tracing = try TracingConfiguration(environment: environment)
        } catch {
            throw ConfigurationError(error.description)
        }
        if let value = environment["ORDINAUT_ALLOWED_ORIGINS"] { allowedOrigins = Self.list(value) }
        if let value = environment["ORDINAUT_ALLOWED_HOSTS"] { allowedHosts = Self.list(value) }
        if let value = environment["ORDINAUT_MAX_BODY_BYTES"] {
            maxBodyBytes = try Self.integer(value, "ORDINAUT_MAX_BODY_BYTES", range: 1024...(1 << 30))
        }
        if let value = environment["ORDINAUT_STDIO_MAX_PENDING_BYTES"] {
            stdioMaxPendingBytes = try Self.integer(value, "ORDINAUT_STDIO_MAX_PENDING_BYTES", range: 4096...(1 << 32))
        }
        if let value = environment["ORDINAUT_METRICS_SAMPLE_SECONDS"] {
            metricsSampleSeconds = try Self.integer(value, "ORDINAUT_METRICS_SAMPLE_SECONDS", range: 1...3600)
        }
        if let value = environment["ORDINAUT_EXT_METRIC_FAMILIES"] {
            extensionMetrics.familiesPerExtension = try Self.integer(value, "ORDINAUT_EXT_METRIC_FAMILIES", range: 1...10_000)
        }
        if let value = environment["ORDINAUT_EXT_METRIC_SERIES"] {
            extensionMetrics.seriesPerFamily = try Self.integer(value, "ORDINAUT_EXT_METRIC_SERIES", range: 1...100_000)
        }
        if let value = environment["ORDINAUT_MAX_SESSIONS"] { maxSessions = try Self.integer(value, "ORDINAUT_MAX_SESSIONS", range: 1...1_000_000) }
        if let value = environment["ORDINAUT_SESSION_IDLE_SECONDS"] {
            sessionIdleSeconds = try Self.integer(value, "ORDINAUT_SESSION_IDLE_SECONDS", range: 1...604_800)
        }
        if let value = environment["ORDINAUT_REPLAY_BUFFER"] { replayBufferSize = try Self.integer(value, "ORDINAUT_REPLAY_BUFFER", range: 0...100_000) }
        if let value = environment["ORDINAUT_TOKEN"], !value.isEmpty { serverToken = value }
        if let value = environment["ORDINAUT_STATE_KEY"] {
            guard value.utf8.count >= 32 else { throw ConfigurationError("ORDINAUT_STATE_KEY must be at least 32 characters long") }
            stateKey = value
        }
        try readConnectionLimits(environment)
        try readExtensionSettings(environment)
        try access.read(environment)
        try readSchedulerSettings(environment)
        try readLimitSettings(environment)
    }

    private mutating func readSchedulerSettings(_ environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_DATA_DIR"], !value.isEmpty { dataDirectory = value }
        if let value = environment["ORDINAUT_DATABASE_URL"], !value.isEmpty {
            guard value.hasPrefix("sqlite:") || value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") else {
                throw ConfigurationError("ORDINAUT_DATABASE_URL=\(value) is not a database URL; use sqlite:/path/to/file.db or postgres://user:password@host:5432/database")
            }
            databaseURL = value
        }
        if let value = environment["ORDINAUT_SQLITE_SYNCHRONOUS"] {
            guard let setting = SQLiteDatabase.Synchronous(rawValue: value.uppercased()) else {
                throw ConfigurationError("ORDINAUT_SQLITE_SYNCHRONOUS=\(value) is not one of full, normal, off")
            }
            sqliteSynchronous = setting
        }
        if let value = environment["ORDINAUT_DATABASE_POOL"] { databasePoolSize = try Self.integer(value, "ORDINAUT_DATABASE_POOL", range: 1...100) }
        if let value = environment["ORDINAUT_NODE_ID"], !value.isEmpty { scheduler.nodeID = value }
        if let value = environment["ORDINAUT_WORKERS"] { scheduler.workers = try Self.integer(value, "ORDINAUT_WORKERS", range: 0...1000) }
        if let value = environment["ORDINAUT_SCHEDULER"] { scheduler.schedules = try Self.boolean(value, "ORDINAUT_SCHEDULER") }
        if let value = environment["ORDINAUT_LEASE_SECONDS"] { scheduler.leaseSeconds = try Self.integer(value, "ORDINAUT_LEASE_SECONDS", range: 3...86_400) }
        if let value = environment["ORDINAUT_POLL_MILLISECONDS"] {
            scheduler.pollMilliseconds = try Self.integer(value, "ORDINAUT_POLL_MILLISECONDS", range: 10...60_000)
        }
        if let value = environment["ORDINAUT_MISFIRE_POLICY"] {
            guard let policy = MisfirePolicy(rawValue: value) else {
                throw ConfigurationError("ORDINAUT_MISFIRE_POLICY=\(value) is not one of \(MisfirePolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scheduler.misfirePolicy = policy
        }
        if let value = environment["ORDINAUT_MISFIRE_GRACE_SECONDS"] {
            scheduler.misfireGraceSeconds = try Self.integer(value, "ORDINAUT_MISFIRE_GRACE_SECONDS", range: 0...86_400)
        }
        if let value = environment["ORDINAUT_RETRY_BASE_SECONDS"] { scheduler.retryBaseSeconds = try Self.seconds(value, "ORDINAUT_RETRY_BASE_SECONDS") }
        if let value = environment["ORDINAUT_RETRY_CAP_SECONDS"] { scheduler.retryCapSeconds = try Self.seconds(value, "ORDINAUT_RETRY_CAP_SECONDS") }
        if let value = environment["ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES"] {
            scheduler.taskFailureLimit = try Self.integer(value, "ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES",
                                                          range: 0...SchedulerConfiguration.taskFailureLimits.upperBound)
        }
        if let value = environment["ORDINAUT_CLAIM_BATCH"] { scheduler.claimBatch = try Self.integer(value, "ORDINAUT_CLAIM_BATCH", range: 1...1000) }
    }

    private mutating func readConnectionLimits(_ environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_HTTP_HEADER_TIMEOUT"] {
            connectionLimits.headerTimeout = .seconds(try Self.seconds(value, "ORDINAUT_HTTP_HEADER_TIMEOUT"))
        }
        if let value = environment["ORDINAUT_HTTP_BODY_TIMEOUT"] {
            connectionLimits.bodyTimeout = .seconds(try Self.seconds(value, "ORDINAUT_HTTP_BODY_TIMEOUT"))
        }
        if let value = environment["ORDINAUT_HTTP_IDLE_TIMEOUT"] {
            connectionLimits.idleTimeout = .seconds(try Self.seconds(value, "ORDINAUT_HTTP_IDLE_TIMEOUT"))
        }
        if let value = environment["ORDINAUT_HTTP_MAX_HEADER_BYTES"] {
            connectionLimits.maxHeaderBytes = try Self.integer(value, "ORDINAUT_HTTP_MAX_HEADER_BYTES", range: 1024...(1 << 20))
        }
        if let value = environment["ORDINAUT_HTTP_MAX_CONNECTIONS"] {
            let wanted = try Self.integer(value, "ORDINAUT_HTTP_MAX_CONNECTIONS", range: 1...1_000_000)
            let descriptors = Self.descriptorLimit()
            guard wanted + ConnectionLimits.descriptorReserve <= descriptors else {
                throw ConfigurationError("ORDINAUT_HTTP_MAX_CONNECTIONS=\(value) needs \(wanted + ConnectionLimits.descriptorReserve) descriptors "
                                         + "(\(ConnectionLimits.descriptorReserve) kept in reserve) but ulimit -n allows \(descriptors); "
                                         + "raise ulimit -n or lower the variable")
            }
            connectionLimits.maxConnections = wanted
        }
    }

    /// The soft limit on open descriptors (`ulimit -n`).
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    static func seconds(_ value: String, _ name: String) throws(ConfigurationError) -> Double {
        guard let number = Double(value.trimmingCharacters(in: .whitespaces)), number > 0, number <= 86_400 else {
            throw ConfigurationError("\(name)=\(value) is not a number of seconds in (0, 86400]")
        }
        return number
    }

    private mutating func readExtensionSettings(_ environment: [String: String]) throws(ConfigurationError) {
        extensions.maxBodyBytes = maxBodyBytes
        if let value = environment["ORDINAUT_EXT_PATHS"] {
            extensions.paths = value.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let value = environment["ORDINAUT_EXT_DISABLED"] { extensions.disabled = Set(Self.list(value)) }
        if let value = environment["ORDINAUT_EXT_ENTRY_GRANTS"] {
            let object = try Self.jsonObject(value, "ORDINAUT_EXT_ENTRY_GRANTS", example: #"{"my_ext": ["ROUTES", "TOOLS"]}"#)
            for (id, grants) in object.members {
                guard let names = grants.arrayValue?.compactMap(\.stringValue), names.count == grants.arrayValue?.count else {
                    throw ConfigurationError("ORDINAUT_EXT_ENTRY_GRANTS: the grants of \"\(id)\" must be an array of capability names")
                }
                var set = Set<Capability>()
                for name in names {
                    guard let capability = Capability(rawValue: name) else {
                        throw ConfigurationError("ORDINAUT_EXT_ENTRY_GRANTS: \"\(name)\" (for \"\(id)\") is not a capability; use \(Capability.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    set.insert(capability)
                }
                extensions.entryGrants[id] = set
            }
        }
        if let value = environment["ORDINAUT_EXT_ENTRY_EAGER"] {
            let object = try Self.jsonObject(value, "ORDINAUT_EXT_ENTRY_EAGER", example: #"{"my_ext": true}"#)
            for (id, flag) in object.members {
                guard let eager = flag.boolValue else { throw ConfigurationError("ORDINAUT_EXT_ENTRY_EAGER: the value of \"\(id)\" must be true or false") }
                extensions.entryEager[id] = eager
            }
        }
        if let value = environment["ORDINAUT_STATIC_MAX_FILE_BYTES"] {
            extensions.staticMaxFileBytes = try Self.integer(value, "ORDINAUT_STATIC_MAX_FILE_BYTES", range: 1...(1 << 32))
        }
        if let value = environment["ORDINAUT_STRIP_HEADERS"] { extensions.strippedHeaders = Set(Self.list(value).map { $0.lowercased() }) }
        if let value = environment["ORDINAUT_WEBHOOK_SECRETS"] { extensions.webhookSecretVariables = Set(Self.list(value)) }
        if let value = environment["ORDINAUT_REDIS_URL"], !value.isEmpty { redisURL = value }
    }

    static func jsonObject(_ value: String, _ name: String, example: String) throws(ConfigurationError) -> JSONObject {
        do {
            if let object = try JSONParser().parse(value).objectValue { return object }
        } catch {}
        throw ConfigurationError("\(name) must be a JSON object such as \(example)")
    }

    static func boolean(_ value: String, _ name: String) throws(ConfigurationError) -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw ConfigurationError("\(name)=\(value) is not a boolean; use true or false")
        }
    }

    static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func integer(_ value: String, _ name: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw ConfigurationError("\(name)=\(value) is not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// Parses a log level name.
    public static func level(_ value: String, _ name: String) throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: value.lowercased()) else {
            throw ConfigurationError("\(name)=\(value) is not a log level; use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}

/// A configuration value that cannot be used, with the variable or flag to fix.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
