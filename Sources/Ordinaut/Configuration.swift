import Foundation
import Logging
import OrdinautCore
import OrdinautExtensionHost

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
    /// Browser origins allowed to call the MCP endpoints (`ORDINAUT_ALLOWED_ORIGINS`, comma-separated);
    /// loopback origins are always allowed.
    public var allowedOrigins: [String] = []
    /// Host header values accepted besides loopback names (`ORDINAUT_ALLOWED_HOSTS`, comma-separated),
    /// the defence against DNS rebinding.
    public var allowedHosts: [String] = []
    /// Largest accepted request body or stdio line (`ORDINAUT_MAX_BODY_BYTES`).
    public var maxBodyBytes = 4 * 1024 * 1024
    /// Most concurrent HTTP sessions (`ORDINAUT_MAX_SESSIONS`).
    public var maxSessions = 1000
    /// Seconds of inactivity after which an HTTP session expires (`ORDINAUT_SESSION_IDLE_SECONDS`).
    public var sessionIdleSeconds = 1800
    /// Server-stream events kept per session for `Last-Event-ID` replay (`ORDINAUT_REPLAY_BUFFER`).
    public var replayBufferSize = 256
    /// Key for `requestState` integrity (`ORDINAUT_STATE_KEY`, at least 32 characters); random per
    /// process when unset, so set it when several nodes serve the same clients.
    public var stateKey: String?
    /// Surface to serve (`--fixture`).
    public var fixture: Fixture?
    /// Extension discovery, grants and route authorization (`ORDINAUT_EXT_*`, `ORDINAUT_REQUIRE_SCOPES`,
    /// `ORDINAUT_TOKENS_FILE`, `ORDINAUT_PROXY_SECRET`).
    public var extensions = ExtensionHostConfiguration()
    /// Events kept per stream for reading back and replay (`ORDINAUT_EVENTS_RETENTION`).
    public var eventRetention = 1000
    /// Redis for the event bus (`ORDINAUT_REDIS_URL`, `redis://[:password@]host[:port][/db]`); the
    /// in-process bus when unset.
    public var redisURL: String?

    public init() {}

    /// Defaults overridden by `ORDINAUT_*` variables; a malformed value is an error naming it.
    public init(environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["ORDINAUT_HOST"] { host = value }
        if let value = environment["ORDINAUT_PORT"] { port = try Self.integer(value, "ORDINAUT_PORT", range: 0...65535) }
        if let value = environment["ORDINAUT_LOG_LEVEL"] { logLevel = try Self.level(value, "ORDINAUT_LOG_LEVEL") }
        if let value = environment["ORDINAUT_ALLOWED_ORIGINS"] { allowedOrigins = Self.list(value) }
        if let value = environment["ORDINAUT_ALLOWED_HOSTS"] { allowedHosts = Self.list(value) }
        if let value = environment["ORDINAUT_MAX_BODY_BYTES"] {
            maxBodyBytes = try Self.integer(value, "ORDINAUT_MAX_BODY_BYTES", range: 1024...(1 << 30))
        }
        if let value = environment["ORDINAUT_MAX_SESSIONS"] { maxSessions = try Self.integer(value, "ORDINAUT_MAX_SESSIONS", range: 1...1_000_000) }
        if let value = environment["ORDINAUT_SESSION_IDLE_SECONDS"] {
            sessionIdleSeconds = try Self.integer(value, "ORDINAUT_SESSION_IDLE_SECONDS", range: 1...604_800)
        }
        if let value = environment["ORDINAUT_REPLAY_BUFFER"] { replayBufferSize = try Self.integer(value, "ORDINAUT_REPLAY_BUFFER", range: 0...100_000) }
        if let value = environment["ORDINAUT_STATE_KEY"] {
            guard value.utf8.count >= 32 else { throw ConfigurationError("ORDINAUT_STATE_KEY must be at least 32 characters long") }
            stateKey = value
        }
        try readExtensionSettings(environment)
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
        if let value = environment["ORDINAUT_REQUIRE_SCOPES"] { extensions.requireScopes = try Self.boolean(value, "ORDINAUT_REQUIRE_SCOPES") }
        if let value = environment["ORDINAUT_TOKENS_FILE"] {
            do {
                extensions.tokens = try TokenTable(contentsOf: value)
            } catch {
                throw ConfigurationError(error.description)
            }
        }
        if let value = environment["ORDINAUT_PROXY_SECRET"] {
            guard value.utf8.count >= 32 else { throw ConfigurationError("ORDINAUT_PROXY_SECRET must be at least 32 characters long") }
            extensions.proxySecret = value
        }
        if let value = environment["ORDINAUT_REDIS_URL"], !value.isEmpty { redisURL = value }
        if let value = environment["ORDINAUT_EVENTS_RETENTION"] {
            eventRetention = try Self.integer(value, "ORDINAUT_EVENTS_RETENTION", range: 1...1_000_000)
        }
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
