import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import Ordinaut
import OrdinautExtensionHost
import OrdinautTracing
// A custom build's `main.swift` names its extensions with this type and nothing else of the host.
@_exported import struct OrdinautExtensionHost.CompiledExtension
import ServiceLifecycle
import Synchronization

/// Runs the `ordinaut` command line. A custom build (`examples/swift-extension`) calls it with its
/// own compiled-in extensions, which then run beside the built-ins in every command.
public enum OrdinautMain {
    public static func run(extensions: [CompiledExtension] = []) async {
        customExtensions.withLock { $0 = extensions }
        // Assistants launch `ordinaut stdio` without flags (`mcp-config` writes exactly that), and each
        // launch waits for the first answer. With nothing to parse, the argument parser's reflection over
        // the command tree (a conformance lookup per type it meets, each a scan of every conformance
        // record in the binary) was the largest part of that wait, so it is skipped.
        if CommandLine.arguments.dropFirst().elementsEqual(["stdio"]) {
            do {
                try await Stdio.serve(CommonSettings())
            } catch {
                Stdio.exit(withError: error)
            }
            return
        }
        await OrdinautCommand.main()
    }
}

/// The compiled-in extensions of this build besides the built-ins.
private let customExtensions = Mutex<[CompiledExtension]>([])

func compiledExtensions() -> [CompiledExtension] {
    customExtensions.withLock { $0 }
}

struct OrdinautCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ordinaut",
        abstract: "An MCP-first task scheduler and extension host for AI agents.",
        discussion: """
        Serve MCP over stdio (for Claude Desktop, Claude Code and other assistants that launch a process)
        or over Streamable HTTP. Both serve the session era (initialize, 2024-11-05 to 2025-11-25) and the
        stateless era (2026-07-28, server/discover). Every flag has an ORDINAUT_* environment variable.

        The other commands run in this process, on the configured database: `tools` starts its own copy
        of the extensions (a server's extensions keep their own state) unless `tools call --server URL`
        sends the call to a running server. They log warnings and errors only unless --log-level or
        ORDINAUT_LOG_LEVEL says otherwise; `serve` and `stdio` log at info.

        Examples:
          ordinaut stdio
          ordinaut serve --port 8080
          ORDINAUT_ALLOWED_ORIGINS=https://app.example.com ordinaut serve --host 0.0.0.0 --allowed-host mcp.example.com
          ordinaut serve --fixture conformance
          ordinaut schedule next "0 9 * * 1-5" --tz Europe/Chisinau --count 3
          ordinaut tools call echo --args '{"text":"hi"}' --fixture bench
          ordinaut tools call --server http://127.0.0.1:8080 ext.events_demo.read --args '{"stream":"hello"}'
          ordinaut mcp-config --client claude-desktop
          ordinaut ext list
          ordinaut ext validate examples/python-extension
        """,
        version: ordinautVersion,
        subcommands: [Serve.self, Stdio.self, MCPConfig.self, TaskCommand.self, RunsCommand.self, AgentCommand.self, Migrate.self, Ext.self, Tools.self, Schedule.self, Token.self]
    )
}

struct CommonOptions: ParsableArguments {
    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical. (ORDINAUT_LOG_LEVEL)")
    var logLevel: String?

    @Option(help: "Serve a built-in test surface instead of the normal one: conformance, or bench (one echo tool).")
    var fixture: Configuration.Fixture?

    /// What these flags say.
    var settings: CommonSettings { CommonSettings(logLevel: logLevel, fixture: fixture) }

    func configuration(defaultLogLevel: Logger.Level = .warning) throws -> Configuration {
        try settings.configuration(defaultLogLevel: defaultLogLevel)
    }

    func logger(_ configuration: Configuration, label: String) -> Logger {
        settings.logger(configuration, label: label)
    }
}

extension Configuration.Fixture: ExpressibleByArgument {}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve MCP over Streamable HTTP at /mcp (and the 2024-11-05 HTTP+SSE transport at /sse).",
        discussion: """
        Examples:
          ordinaut serve
          ordinaut serve --host 127.0.0.1 --port 9000 --log-level debug
          curl -s http://127.0.0.1:8080/health
        """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Interface to bind. (ORDINAUT_HOST, default 127.0.0.1)")
    var host: String?

    @Option(help: "Port to bind; 0 picks a free port. (ORDINAUT_PORT, default 8080)")
    var port: Int?

    @Option(name: .customLong("allowed-origin"), help: "A browser Origin allowed to call /mcp; repeatable. (ORDINAUT_ALLOWED_ORIGINS)")
    var allowedOrigins: [String] = []

    @Option(name: .customLong("allowed-host"), help: "A Host header value accepted besides loopback names; repeatable. (ORDINAUT_ALLOWED_HOSTS)")
    var allowedHosts: [String] = []

    @Flag(name: .customLong("allow-anonymous"),
          help: "Serve clients without credentials on a non-loopback address (a trusted network only). (ORDINAUT_ALLOW_ANONYMOUS)")
    var allowAnonymous = false

    func run() async throws {
        var configuration = try common.configuration(defaultLogLevel: .info)
        if let host { configuration.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            configuration.port = port
        }
        configuration.allowedOrigins += allowedOrigins
        configuration.allowedHosts += allowedHosts
        if allowAnonymous { configuration.access.allowAnonymous = true }
        let logger = common.logger(configuration, label: "ordinaut")
        let tracing = TracingSetup.install(configuration, logger: logger)
        let application = try await buildApplication(configuration: configuration, extensions: compiledExtensions(), logger: logger,
                                                     first: tracing.map { [$0] } ?? [])
        do {
            try await application.runService()
        } catch let error as IOError {
            throw Self.bindFailure(error, host: configuration.host, port: configuration.port) ?? error
        }
    }

    /// One line that says what to change when the listening socket cannot be opened.
    static func bindFailure(_ error: IOError, host: String, port: Int) -> CommandFailure? {
        switch error.errnoCode {
        case EADDRINUSE:
            return CommandFailure(description: "port \(port) on \(host) is already in use: stop what listens there, "
                                  + "or choose another port with --port or ORDINAUT_PORT (0 picks a free one)")
        case EACCES:
            return CommandFailure(description: "port \(port) on \(host) needs privileges this process lacks: "
                                  + "choose a port above 1023 with --port or ORDINAUT_PORT")
        case EADDRNOTAVAIL:
            return CommandFailure(description: "\(host) is not an address of this machine: choose another interface with --host or ORDINAUT_HOST")
        default:
            return nil
        }
    }
}

struct Stdio: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stdio",
        abstract: "Serve MCP over stdin/stdout (newline-delimited JSON-RPC); logs go to stderr.",
        discussion: """
        Assistants launch this command themselves. `ordinaut mcp-config --client claude-desktop` (or
        claude-code, cursor, vscode) prints the configuration that does it with this binary's path, e.g.:
          {"mcpServers": {"ordinaut": {"command": "/usr/local/bin/ordinaut", "args": ["stdio"]}}}
        """
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Self.serve(common.settings)
    }

    /// Serves until stdin closes. `OrdinautMain.run` calls it directly for `ordinaut stdio` without flags.
    static func serve(_ settings: CommonSettings) async throws {
        let configuration = try settings.configuration(defaultLogLevel: .info)
        let logger = settings.logger(configuration, label: "ordinaut")
        let tracing = TracingSetup.install(configuration, logger: logger)
        let group = try await buildStdioApplication(configuration: configuration, extensions: compiledExtensions(), logger: logger,
                                                    first: tracing.map { [$0] } ?? [])
        try await group.run()
    }
}
