import OrdinautAccess
import OrdinautAuth
import OrdinautCore
import OrdinautStore
import Testing

@Suite("Agent service")
struct AgentServiceTests {
    @Test func lifetimesAreANumberAndAUnit() async throws {
        #expect(try AgentService.lifetimeSeconds(parsing: "30d") == 30 * 86_400)
        #expect(try AgentService.lifetimeSeconds(parsing: "12h") == 12 * 3_600)
        #expect(try AgentService.lifetimeSeconds(parsing: "90m") == 90 * 60)
        #expect(try AgentService.lifetimeSeconds(parsing: "3600s") == 3_600)
        #expect(try AgentService.lifetimeSeconds(parsing: "3650d") == AgentService.maxLifetimeSeconds)
        for text in ["", "d", "0d", "-1h", "10", "1w", "3651d", "1.5h", " 1h", "99999999999999999999s"] {
            #expect(await agentError { () throws(AgentError) in _ = try AgentService.lifetimeSeconds(parsing: text) }?.field == "expires_in", "\(text)")
        }
    }

    @Test func agentsAreNamedByIdOrNameAndStoreRefusalsKeepTheirKind() async throws {
        let rig = try await AccessRig()
        let agent = try await rig.service.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        #expect(try await rig.service.setDisabled("bot", true, actor: "cli:ops").disabled)
        #expect(try await rig.service.setDisabled(agent.id, false, actor: "cli:ops").disabled == false)
        #expect(await agentError { () throws(AgentError) in _ = try await rig.service.createAgent(name: "bot", scopes: ["x"], actor: "cli:ops") }?.kind == .conflict)
        #expect(await agentError { () throws(AgentError) in _ = try await rig.service.createAgent(name: "b t", scopes: ["x"], actor: "cli:ops") }?.kind == .invalid)
        #expect(await agentError { () throws(AgentError) in _ = try await rig.service.tokens(agent: "nobody") }?.kind == .notFound)
        await rig.close()
        let closed = await agentError { () throws(AgentError) in _ = try await rig.service.agents() }
        #expect(closed?.kind == .unavailable && closed?.message.hasPrefix("the database is unavailable") == true)
    }

    /// Names, scopes and labels are checked before anything reaches the store: the store has no
    /// words for invalid input, and nothing is stored.
    @Test func badNamesScopesOrLabelsAreInvalidNamingTheFieldAndStoreNothing() async throws {
        let rig = try await AccessRig()
        for name in ["", "has space", "slash/name", "ünï", String(repeating: "a", count: 65), UUIDv7.make()] {
            let error = await agentError { () throws(AgentError) in _ = try await rig.service.createAgent(name: name, scopes: ["tasks:read"], actor: "cli:ops") }
            #expect(error?.kind == .invalid && error?.field == "name", "name \(name)")
        }
        for scopes in [[], [""], ["tasks read"], ["quote\"d"], ["tab\t"], (0...64).map { "s\($0)" }] {
            let error = await agentError { () throws(AgentError) in _ = try await rig.service.createAgent(name: "other", scopes: scopes, actor: "cli:ops") }
            #expect(error?.kind == .invalid && error?.field == "scopes", "scopes \(scopes)")
        }
        #expect(try await rig.service.agents().isEmpty)
        _ = try await rig.service.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let long = await agentError { () throws(AgentError) in
            _ = try await rig.service.createToken(agent: "bot", label: String(repeating: "l", count: 201), lifetimeSeconds: nil, actor: "cli:ops")
        }
        #expect(long == AgentError(.invalid, "a token label has at most 200 characters", field: "label"))
        #expect(try await rig.service.tokens(agent: "bot").isEmpty)
        await rig.close()
    }

    @Test func inputAndStoreRefusalsBecomeAgentErrorsOfTheirKind() {
        #expect(AgentError(InputError("bad", field: "name")) == AgentError(.invalid, "bad", field: "name"))
        #expect(AgentError(StoreError.conflict("taken", field: "name")) == AgentError(.conflict, "taken", field: "name"))
        #expect(AgentError(StoreError.notFound("none")).kind == .notFound)
        #expect(AgentError(StoreError.unavailable("down")) == AgentError(.unavailable, "the database is unavailable, try again later: down"))
    }

    @Test func aTokenIsHandedOutOnceWithItsLifetimeAndStoredAsItsDigest() async throws {
        let rig = try await AccessRig()
        _ = try await rig.service.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let issued = try await rig.service.createToken(agent: "bot", label: "ci", lifetimeSeconds: 3_600, actor: "cli:ops")
        #expect(AgentTokenFormat.isWellFormed(issued.token))
        #expect(issued.record.expiresAt == rig.clock.now + 3_600_000)
        #expect(issued.record.prefix == AgentTokenFormat.displayPrefix(of: issued.token))
        let match = try await rig.agents.lookup(digest: TokenDigest.hex(of: issued.token), now: rig.clock.now)
        #expect(match?.token == issued.record)
        let zero = await agentError { () throws(AgentError) in _ = try await rig.service.createToken(agent: "bot", label: nil, lifetimeSeconds: 0, actor: "cli:ops") }
        #expect(zero?.kind == .invalid)
        await rig.close()
    }
}
