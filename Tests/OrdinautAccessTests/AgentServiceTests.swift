import OrdinautAccess
import OrdinautAuth
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
