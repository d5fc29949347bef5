import ArgumentParser
import Foundation

/// `ordinaut mcp-config`: the snippet that connects an assistant to this binary (stdio) or to a
/// running server (Streamable HTTP), so that nobody has to guess the path or the format.
struct MCPConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp-config",
        abstract: "Print the configuration that connects an assistant to this ordinaut.",
        discussion: """
        Without --url the assistant launches `<this binary> stdio` itself; the path printed is the
        absolute path of the binary that runs this command (install it first: make install). With --url
        it connects to a running server's /mcp over Streamable HTTP, sending --token (from `ordinaut
        token create`, or a token of ORDINAUT_TOKENS_FILE) as `Authorization: Bearer …`; a server on
        loopback that does not require scopes needs no token.

        Where each snippet goes:
          claude-desktop  claude_desktop_config.json (stdio only)
          claude-code     a shell command to run
          cursor          ~/.cursor/mcp.json or .cursor/mcp.json
          vscode          .vscode/mcp.json

        Examples:
          ordinaut mcp-config --client claude-desktop
          ordinaut mcp-config --client claude-code
          ordinaut mcp-config --client vscode --url http://127.0.0.1:8080/mcp --token ordn_…
        """
    )

    @Option(help: "claude-desktop, claude-code, cursor or vscode.")
    var client: ClientConfiguration.Client

    @Option(help: "A running server's MCP endpoint (http://host:port/mcp) to connect to instead of launching stdio.")
    var url: String?

    @Option(help: "The bearer token sent to --url.")
    var token: String?

    func run() throws {
        let connection: ClientConfiguration.Connection
        if let url {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw CommandFailure(description: "--url must be an http:// or https:// URL such as http://127.0.0.1:8080/mcp")
            }
            connection = .http(url: url, token: token)
        } else {
            guard token == nil else { throw CommandFailure(description: "--token goes with --url: a stdio server needs no token") }
            connection = .stdio(command: try Self.binaryPath())
        }
        print(try ClientConfiguration(client: client, connection: connection).text())
    }

    /// The absolute path of the running binary, so that the snippet works from any directory.
    static func binaryPath() throws -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let argument = CommandLine.arguments[0]
        guard argument.hasPrefix("/") else {
            throw CommandFailure(description: "cannot tell where this binary is (/proc/self/exe is unreadable); run it by its absolute path")
        }
        return argument
    }
}
