import ArgumentParser
import Foundation
import Ordinaut
import OrdinautAuth
import OrdinautCore
import OrdinautExtensionHost
import OrdinautMCP

struct Tools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
            let engine = try await localEngine(common)
            let result: JSONValue
            do {
                result = try await callEngine(engine, method: "tools/list", params: [:])
                await engine.extensions.shutdown()
            } catch {
                await engine.extensions.shutdown()
                throw error
            }
            if json {
                print(result.encodedString())
                return
            }
            for tool in result["tools"]?.arrayValue ?? [] {
                let name = tool["name"]?.stringValue ?? "?"
                let summary = tool["title"]?.stringValue ?? tool["description"]?.stringValue ?? ""
                print(summary.isEmpty ? name : "\(name)\t\(summary)")
            }
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
            let params: JSONObject = ["name": .string(name), "arguments": arguments]
            let result: JSONValue
            if let server {
                guard common.fixture == nil else { throw CommandFailure(description: "--fixture is the server's choice: drop it with --server") }
                guard (1...86_400).contains(timeout) else { throw CommandFailure(description: "--timeout must be between 1 and 86400 seconds") }
                let configuration = try common.configuration()
                let client = try ServerClient(server: server, token: configuration.serverToken, timeout: .seconds(timeout),
                                              maxResponseBytes: configuration.maxBodyBytes)
                result = try await client.request("tools/call", name: name, params: params)
            } else {
                let engine = try await localEngine(common)
                do {
                    result = try await callEngine(engine, method: "tools/call", params: params)
                    await engine.extensions.shutdown()
                } catch {
                    await engine.extensions.shutdown()
                    throw error
                }
            }
            if result["resultType"] == "input_required" {
                throw CommandFailure(description: "tool \(name) needs input from a client (\(result["inputRequests"]?.objectValue?.members.compactMap { $0.value["method"]?.stringValue }.joined(separator: ", ") ?? "")), which the command line cannot give")
            }
            print(result.encodedString())
            if result["isError"] == true { throw ExitCode(1) }
        }
    }
}

/// An engine built from the configuration, with its eager extensions active, as a server would start.
func localEngine(_ common: CommonOptions) async throws -> Engine {
    let configuration = try common.configuration()
    let engine = try await buildEngine(configuration: configuration, extensions: compiledExtensions(),
                                 logger: common.logger(configuration, label: "ordinaut"))
    await engine.extensions.activateEager()
    return engine
}

/// Sends one 2026-07-28 request to the engine through a stateless connection; notifications it
/// produces go to stderr.
func callEngine(_ engine: Engine, method: String, params: JSONObject) async throws -> JSONValue {
    let connection = MCPConnection(server: engine.server, kind: .httpStateless)
    var params = params
    params["_meta"] = [
        ProtocolVersion.MetaKey.protocolVersion: .string(ProtocolVersion.latestStateless),
        ProtocolVersion.MetaKey.clientCapabilities: [:],
        ProtocolVersion.MetaKey.clientInfo: ["name": "ordinaut-cli", "version": .string(ordinautVersion)],
    ]
    let response = await connection.handle(.request(JSONRPCRequest(id: .number(1), method: method, params: params)), stream: StandardErrorSink(), principal: .local)
    switch response?.outcome {
    case .success(let result)?: return result
    case .failure(let error)?: throw CommandFailure(description: error.message)
    case nil: throw CommandFailure(description: "\(method) was cancelled")
    }
}

private struct StandardErrorSink: MessageSink {
    func send(_ message: JSONValue) async {
        FileHandle.standardError.write(Data((message.encodedString() + "\n").utf8))
    }
}
