import Foundation
import Logging

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
