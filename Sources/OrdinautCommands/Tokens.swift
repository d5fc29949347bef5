import ArgumentParser
import Foundation
import OrdinautAccess
import OrdinautAuth
import OrdinautCore
import OrdinautStore

/// `ordinaut token …`: stored agent tokens in the configured database, and the digest helper of the tokens file.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke agents' bearer tokens; hash a token for ORDINAUT_TOKENS_FILE.",
        discussion: """
        Agent tokens are stored as SHA-256 digests: a token is printed once, when it is created, and
        never again. A revocation takes effect on every node within 5 seconds.

        Examples:
          ordinaut token create ci-bot --label pipeline --expires-in 30d > ci-bot.token
          ordinaut token list ci-bot
          ordinaut token revoke 0190a1b2-…
        """,
        subcommands: [Create.self, List.self, Revoke.self, Hash.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a token for AGENT: the token goes to standard output, once; a note goes to standard error.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The agent's name or id.") var agent: String
        @Option(help: "A label to recognise the token by (where it is used).") var label: String?
        @Option(help: "Lifetime: a number and d, h, m or s (30d, 12h, 3600s); without it the token lives until revoked.")
        var expiresIn: String?

        func run() async throws {
            let lifetime = try expiresIn.map { text throws(AgentError) in try AgentService.lifetimeSeconds(parsing: text) }
            let issued = try await withAgentService(common) { service in
                try await service.createToken(agent: agent, label: label, lifetimeSeconds: lifetime, actor: cliActor())
            }
            print(issued.token)
            let expiry = issued.record.expiresAt.map { "expires \(isoText($0))" } ?? "does not expire"
            printError("token \(issued.record.id) for agent '\(issued.agent.name)' (\(issued.record.prefix)…, \(expiry)). \(IssuedAgentToken.warning)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List AGENT's tokens: id, prefix, status, label, expiry, last use. Never the tokens themselves.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The agent's name or id.") var agent: String
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let (tokens, now) = try await withAgentService(common) { service in
                (try await service.tokens(agent: agent), service.store.clock())
            }
            if json { return print(itemsJSON(tokens.map { $0.json(at: now) })) }
            for token in tokens {
                print([token.id, token.prefix + "…", token.status(at: now), token.label ?? "-",
                       token.expiresAt.map(isoText) ?? "never", token.lastUsedAt.map(isoText) ?? "never used"].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a token for good (refused on every node within 5 seconds); prints the token's record.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The token's id, from `ordinaut token list`.") var tokenID: String

        func run() async throws {
            let (token, now) = try await withAgentService(common) { service in
                (try await service.revokeToken(tokenID, actor: cliActor()), service.store.clock())
            }
            print(token.json(at: now).encodedString())
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash",
            abstract: "Print the SHA-256 digest of a token, as the tokens file stores it.",
            discussion: """
            The token is read from standard input (one line), so it stays out of the shell history.

            Example:
              openssl rand -hex 32 | tee token.txt | ordinaut token hash
            """
        )

        func run() throws {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandFailure(description: "expected the token on standard input")
            }
            print(TokenDigest.hex(of: line))
        }
    }
}
