import OrdinautAccess
import OrdinautAuth
import OrdinautStore
import Testing

@Suite("Stored agent directory")
struct StoredAgentDirectoryTests {
    @Test func answersFoundRefusedOrUnknownWithTheAgentsScopes() async throws {
        let rig = try await AccessRig()
        let directory = StoredAgentDirectory(store: rig.agents)
        let agent = try await rig.service.createAgent(name: "bot", scopes: ["tasks:write", "tasks:read"], actor: "cli:ops")
        let issued = try await rig.service.createToken(agent: "bot", label: nil, lifetimeSeconds: 60, actor: "cli:ops")
        let digest = TokenDigest.hex(of: issued.token)
        #expect(try await directory.lookup(digest: digest)
            == .found(agentID: agent.id, agentName: "bot", tokenID: issued.record.id, scopes: ["tasks:read", "tasks:write"]))
        #expect(try await directory.lookup(digest: TokenDigest.hex(of: "other")) == .unknown)
        _ = try await rig.service.setDisabled("bot", true, actor: "cli:ops")
        #expect(try await directory.lookup(digest: digest) == .refused(reason: "the token's agent is disabled"))
        _ = try await rig.service.setDisabled("bot", false, actor: "cli:ops")
        rig.clock.advance(seconds: 60)
        #expect(try await directory.lookup(digest: digest) == .refused(reason: "the token has expired"))
        await rig.close()
    }

    func lastUsed(_ rig: AccessRig) async throws -> Int64? {
        try await rig.service.tokens(agent: "bot").first?.lastUsedAt
    }

    @Test func theUseOfATokenIsRecordedAtMostOncePerInterval() async throws {
        let rig = try await AccessRig()
        let directory = StoredAgentDirectory(store: rig.agents, touchInterval: .seconds(60))
        _ = try await rig.service.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let issued = try await rig.service.createToken(agent: "bot", label: nil, lifetimeSeconds: nil, actor: "cli:ops")
        let digest = TokenDigest.hex(of: issued.token)
        let first = rig.clock.now

        _ = try await directory.lookup(digest: digest)
        #expect(try await lastUsed(rig) == first)
        rig.clock.advance(seconds: 59)
        _ = try await directory.lookup(digest: digest)
        #expect(try await lastUsed(rig) == first, "within the interval nothing is written")
        // Another node's directory sees the stored time and does not write either.
        _ = try await StoredAgentDirectory(store: rig.agents).lookup(digest: digest)
        #expect(try await lastUsed(rig) == first)
        rig.clock.advance(seconds: 1)
        _ = try await directory.lookup(digest: digest)
        #expect(try await lastUsed(rig) == rig.clock.now)
        await rig.close()
    }

    @Test func theAuthenticatorAcceptsAStoredTokenAndRefusesItOnceRevoked() async throws {
        let rig = try await AccessRig()
        let authenticator = AgentTokenAuthenticator(directory: StoredAgentDirectory(store: rig.agents), revocationDelay: .zero)
        let agent = try await rig.service.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let issued = try await rig.service.createToken(agent: "bot", label: nil, lifetimeSeconds: nil, actor: "cli:ops")
        #expect(await authenticator.authenticate(.bearer(issued.token))
            == .authenticated(Principal(subject: "agent:" + agent.id, displayName: "bot", scopes: ScopeSet(["tasks:read"]), method: .agentToken)))
        _ = try await rig.service.revokeToken(issued.record.id, actor: "cli:ops")
        #expect(await authenticator.authenticate(.bearer(issued.token)) == .rejected("the token was revoked"))
        await rig.close()
        if case .unavailable = await authenticator.authenticate(.bearer(issued.token)) {} else {
            Issue.record("a closed database makes tokens uncheckable, not rejected")
        }
    }
}
