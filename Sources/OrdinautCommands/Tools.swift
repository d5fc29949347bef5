import ArgumentParser
import Foundation
import Ordinaut
import OrdinautAuth
import OrdinautCore
import OrdinautExtensionHost
import OrdinautMCP

struct Tools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "List or call the tools this build of Ordinaut offers, in process (or on a server with --server).",
        discussion: """
        In process, the extensions are started anew for the command and stopped after it: they do not
        share state with a running server's extensions (its event bus, a subprocess extension's memory).
        `tools call --server URL` sends the call to that server instead.
        """,
        subcommands: [List.self, Call.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the tools, as MCP clients see them.",
            discussion: """
            Examples:
              ordinaut tools list --fixture conformance
              ordinaut tools list --json
            """
        )

        @OptionGroup var common: CommonOptions

        @Flag(help: "Print the tools/list result as JSON.")
        var json = false

        func run() async throws {
            let tools = try await withLocalEngine(common) { $0.server.tools.descriptors().map(\.descriptor) }
            if json {
                print(JSONValue.object(["tools": .array(tools)]).encodedString())
                return
            }
            for tool in tools {
                let name = tool["name"]?.stringValue ?? "?"
                let summary = tool["title"]?.stringValue ?? tool["description"]?.stringValue ?? ""
                print(summary.isEmpty ? name : "\(name)\t\(summary)")
            }
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "call",
            abstract: "Call a tool with JSON arguments and print its result as JSON.",
            discussion: """
            The call goes through the same path as an MCP tools/call: the arguments are checked against
            the tool's input schema. The exit status is 1 when the tool fails.

            Without --server the tool runs in this process, with extensions started for this command only.
            With --server it is a stateless MCP request to that server's /mcp, so the server's extensions
            and event bus answer; ORDINAUT_TOKEN is sent as the bearer token when set.

            Examples:
              ordinaut tools call test_simple_text --fixture conformance
              ordinaut tools call echo --args '{"text": "hi"}' --fixture bench
              ordinaut tools call --server http://127.0.0.1:8080 ext.events_demo.read --args '{"stream": "hello"}'
            """
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The tool's name (either spelling: ext.a.b or ext__a__b).")
        var name: String

        @Option(help: "The arguments, a JSON object.")
        var args = "{}"

        @Option(help: "Call the tool on the server at this URL (http://127.0.0.1:8080) instead of in this process.")
        var server: String?

        @Option(help: "With --server: how long to wait for the answer, in seconds.")
        var timeout = 300

        func run() async throws {
            let arguments: JSONValue
            do {
                arguments = try JSONParser().parse(args)
            } catch {
                throw CommandFailure(description: "--args is not valid JSON: \(error)")
            }
            guard arguments.objectValue != nil else { throw CommandFailure(description: "--args must be a JSON object") }
            if let server {
                guard common.fixture == nil else { throw CommandFailure(description: "--fixture is the server's choice: drop it with --server") }
                guard (1...86_400).contains(timeout) else { throw CommandFailure(description: "--timeout must be between 1 and 86400 seconds") }
                let configuration = try common.configuration()
                let client = try ServerClient(server: server, token: configuration.serverToken, timeout: .seconds(timeout),
                                              maxResponseBytes: configuration.maxBodyBytes)
                let result = try await client.request("tools/call", name: name, params: ["name": .string(name), "arguments": arguments])
                if result["resultType"] == "input_required" {
                    let methods = result["inputRequests"]?.objectValue?.members.compactMap { $0.value["method"]?.stringValue } ?? []
                    throw CommandFailure(description: "tool \(name) needs input from a client (\(methods.joined(separator: ", "))), which the command line cannot give")
                }
                print(result.encodedString())
                if result["isError"] == true { throw ExitCode(1) }
                return
            }
            let result = try await withLocalEngine(common) { try await callTool($0, name, arguments: arguments.objectValue ?? [:]) }
            print(JSONValue.object(result.json).encodedString())
            if result.isError { throw ExitCode(1) }
        }
    }
}

/// Runs `body` with an engine built from the configuration, its eager extensions active as `ordinaut
/// stdio` would start them (no routes are served); the extensions are stopped afterwards, whatever
/// `body` did.
func withLocalEngine<Value>(_ common: CommonOptions, _ body: (Engine) async throws -> Value) async throws -> Value {
    var configuration = try common.configuration()
    configuration.extensions.routesServed = false
    let engine = try await buildEngine(configuration: configuration, extensions: compiledExtensions(),
                                       logger: common.logger(configuration, label: "ordinaut"))
    await engine.extensions.activateEager()
    do {
        let value = try await body(engine)
        await engine.extensions.shutdown()
        return value
    } catch {
        await engine.extensions.shutdown()
        throw error
    }
}

/// Calls tool `name` in this process as the local user, through the engine's typed call path; the
/// notifications it sends go to stderr. A result is returned even when it is an error (`isError`).
func callTool(_ engine: Engine, _ name: String, arguments: JSONObject) async throws(CommandFailure) -> ToolResult {
    let caller = ToolCaller(server: engine.server, clientName: "ordinaut-cli", clientVersion: ordinautVersion, notifications: StandardErrorSink())
    let outcome = await caller.call(name, arguments: arguments, as: .local)
    guard let result = outcome.result else { throw CommandFailure(description: outcome.description) }
    return result
}

private struct StandardErrorSink: MessageSink {
    func send(_ message: JSONValue) async {
        FileHandle.standardError.write(Data((message.encodedString() + "\n").utf8))
    }
}
