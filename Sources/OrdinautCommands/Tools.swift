import ArgumentParser
import Foundation
import Ordinaut
import OrdinautAuth
import OrdinautCore
import OrdinautExtensionHost
import OrdinautMCP

struct Tools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or call the tools this build of Ordinaut offers, in process.",
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

            Examples:
              ordinaut tools call test_simple_text --fixture conformance
              ordinaut tools call echo --args '{"text": "hi"}' --fixture bench
            """
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The tool's name (either spelling: ext.a.b or ext__a__b).")
        var name: String

        @Option(help: "The arguments, a JSON object.")
        var args = "{}"

        func run() async throws {
            let arguments: JSONValue
            do {
                arguments = try JSONParser().parse(args)
            } catch {
                throw CommandFailure(description: "--args is not valid JSON: \(error)")
            }
            guard arguments.objectValue != nil else { throw CommandFailure(description: "--args must be a JSON object") }
            let engine = try await localEngine(common)
            let result: JSONValue
            do {
                result = try await callEngine(engine, method: "tools/call", params: ["name": .string(name), "arguments": arguments])
                await engine.extensions.shutdown()
            } catch {
                await engine.extensions.shutdown()
                throw error
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
