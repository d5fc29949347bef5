import ArgumentParser
import Foundation
import Ordinaut
import OrdinautAccess
import OrdinautCore
import OrdinautStore

/// `ordinaut agent …`: the agents of the configured database, whose tokens `ordinaut token` manages.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Create, list, disable and enable agents in the configured database.",
        discussion: """
        An agent is a name and the scopes its tokens carry (admin holds every scope). Changes are
        written to the audit log as cli:<user>.

        Examples:
          ordinaut agent create ci-bot --scope tasks:read --scope tasks:write
          ordinaut agent list
          ordinaut agent disable ci-bot
          ordinaut agent disable ci-bot --enable
        """,
        subcommands: [Create.self, List.self, Disable.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an agent; prints it as JSON.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "1–64 characters among A-Z a-z 0-9 _ . -; unique.") var name: String
        @Option(name: .customLong("scope"), help: "A scope the agent's tokens carry; repeatable, at least one.") var scopes: [String] = []

        func run() async throws {
            let agent = try await withAgentService(common) { service in
                try await service.createAgent(name: name, scopes: scopes, actor: cliActor())
            }
            print(agent.json.encodedString())
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List agents by name: id, name, state, scopes.")

        @OptionGroup var common: CommonOptions
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let agents = try await withAgentService(common) { service in try await service.agents() }
            if json { return print(itemsJSON(agents.map(\.json))) }
            for agent in agents {
                print([agent.id, agent.name, agent.disabled ? "disabled" : "enabled", agent.scopes.joined(separator: " ")].joined(separator: "\t"))
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Disable an agent: every token of it is refused, on every node within 5 seconds. --enable undoes it.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The agent's name or id.") var agent: String
        @Flag(help: "Enable the agent again instead.") var enable = false

        func run() async throws {
            let record = try await withAgentService(common) { service in
                try await service.setDisabled(agent, !enable, actor: cliActor())
            }
            print(record.json.encodedString())
        }
    }
}

/// Runs `body` with the agent service over the configured database, then closes it; an
/// `AgentError` becomes the command's error (exit 1).
func withAgentService<T: Sendable>(_ common: CommonOptions, _ body: (AgentService) async throws -> T) async throws -> T {
    let store = try await openTaskStore(configuration: try common.configuration())
    do {
        let result = try await body(AgentService(store: AgentStore(sharing: store)))
        await store.database.close()
        return result
    } catch let error as AgentError {
        await store.database.close()
        throw CommandFailure(description: error.description)
    } catch {
        await store.database.close()
        throw error
    }
}

/// The audit actor of a command: `cli:` and the Unix user running it.
func cliActor() -> String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return "cli:" + String(cString: name) }
    return "cli:uid\(geteuid())"
}

/// `{"items": [...]}` as one line of JSON, like the MCP tools answer.
func itemsJSON(_ items: [JSONValue]) -> String {
    JSONValue.object(["items": .array(items)]).encodedString()
}

/// ISO-8601 UTC text for stored milliseconds.
func isoText(_ milliseconds: Int64) -> String {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
