import Foundation
import OrdinautAuth
import OrdinautCore
import OrdinautStore
import Testing

/// Agents, their tokens and the scopes of a task's creator (migration 3), on both backends.
extension StoreContractTests {
    /// The error `body` throws, or `nil` when it succeeds.
    func storeError(_ body: () async throws(StoreError) -> Void) async -> StoreError? {
        do throws(StoreError) {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// A token made the way the service makes one, stored for `agent`.
    func storeToken(_ agents: AgentStore, agent: AgentRecord, label: String? = nil,
                    expiresAt: Int64? = nil) async throws(StoreError) -> (token: String, record: AgentTokenRecord) {
        let token = AgentTokenFormat.generate()
        let record = try await agents.createToken(agentID: agent.id, digest: TokenDigest.hex(of: token),
                                                  prefix: AgentTokenFormat.displayPrefix(of: token), label: label,
                                                  expiresAt: expiresAt, actor: "cli:ops")
        return (token, record)
    }

    @Test(arguments: Backend.allCases)
    func agentsAreCreatedListedByNameAndFoundByIdOrName(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let agents = AgentStore(sharing: store)
        let zed = try await agents.createAgent(name: "zed.bot", scopes: ["tasks:write", "tasks:read", "tasks:write"], actor: "cli:ops")
        let ci = try await agents.createAgent(name: "ci_runner-1", scopes: ["admin"], actor: "cli:ops")
        #expect(zed.scopes == ["tasks:read", "tasks:write"])
        #expect(!zed.disabled && zed.createdBy == "cli:ops" && zed.createdAt == store.clock())
        #expect(try await agents.agents() == [ci, zed])
        #expect(try await agents.agent(zed.id) == zed)
        #expect(try await agents.agent("ci_runner-1") == ci)
        #expect(await storeError { () throws(StoreError) in _ = try await agents.agent("nobody") }?.kind == .notFound)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aDuplicateNameIsAConflictNamingTheField(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let agents = AgentStore(sharing: store)
        _ = try await agents.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let duplicate = await storeError { () throws(StoreError) in _ = try await agents.createAgent(name: "bot", scopes: ["admin"], actor: "cli:ops") }
        #expect(duplicate?.kind == .conflict && duplicate?.field == "name")
        #expect(try await agents.agents().map(\.name) == ["bot"])
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func aTokenIsFoundByItsDigestAndItsClearTextIsStoredNowhere(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let agents = AgentStore(sharing: store)
        let agent = try await agents.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let (token, record) = try await storeToken(agents, agent: agent, label: "laptop")
        #expect(record.agentID == agent.id && record.label == "laptop" && record.prefix == String(token.prefix(13)))
        #expect(record.expiresAt == nil && record.revokedAt == nil && record.lastUsedAt == nil)
        let match = try #require(try await agents.lookup(digest: TokenDigest.hex(of: token), now: store.clock()))
        #expect(match.token == record && match.agent == agent && match.refusal == nil)
        #expect(try await agents.lookup(digest: TokenDigest.hex(of: AgentTokenFormat.generate()), now: store.clock()) == nil)
        #expect(try await agents.tokens(agentID: agent.id) == [record])

        // Nothing stored holds the token, or its secret part beyond the prefix lists show.
        let secret = String(token.dropFirst(13))
        for table in ["agent_tokens", "agents", "audit_log", "tasks"] {
            let rows = try await store.database.transaction { connection throws(StoreError) in
                try connection.execute("SELECT * FROM \(table)")
            }
            for row in rows {
                for value in row.values {
                    if case .text(let text) = value { #expect(!text.contains(secret), "\(table) holds the token") }
                }
            }
        }
        let stored = try await store.database.transaction { connection throws(StoreError) in
            try connection.execute("SELECT token_sha256 FROM agent_tokens").compactMap { $0.text(0) }
        }
        #expect(stored == [TokenDigest.hex(of: token)])
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func revokedExpiredAndDisabledTokensAreRefusedWithTheReason(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let agents = AgentStore(sharing: store)
        let agent = try await agents.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let revoked = try await storeToken(agents, agent: agent)
        let expiring = try await storeToken(agents, agent: agent, expiresAt: clock.now + 60_000)
        let good = try await storeToken(agents, agent: agent)
        func refusal(_ token: String) async throws -> AgentTokenMatch.Refusal? {
            guard let match = try await agents.lookup(digest: TokenDigest.hex(of: token), now: clock.now) else {
                throw StoreError.notFound("the token was not found by its digest")
            }
            return match.refusal
        }

        let revocation = try await agents.revokeToken(revoked.record.id, actor: "cli:ops")
        #expect(revocation.revokedAt == clock.now)
        #expect(try await refusal(revoked.token) == .revoked)
        #expect(try await agents.revokeToken(revoked.record.id, actor: "cli:ops") == revocation, "revoking again changes nothing")
        #expect(await storeError { () throws(StoreError) in _ = try await agents.revokeToken("no-such-token", actor: "cli:ops") }?.kind == .notFound)

        #expect(try await refusal(expiring.token) == nil)
        clock.advance(seconds: 60)
        #expect(try await refusal(expiring.token) == .expired)

        #expect(try await refusal(good.token) == nil)
        let disabled = try await agents.setDisabled(agent.id, true, actor: "cli:ops")
        #expect(disabled.disabled)
        #expect(try await agents.agent(agent.id).disabled)
        #expect(try await refusal(good.token) == .agentDisabled)
        #expect(try await refusal(revoked.token) == .revoked, "a revocation outranks the disabled agent")
        let refusedToken = await storeError { () throws(StoreError) in _ = try await storeToken(agents, agent: agent) }
        #expect(refusedToken?.kind == .conflict, "a disabled agent gets no new token")
        try await agents.setDisabled(agent.id, false, actor: "cli:ops")
        #expect(try await refusal(good.token) == nil)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func touchRecordsTheLastUseAndNeverMovesItBack(_ backend: Backend) async throws {
        let clock = TestClock()
        let store = try await backend.makeStore(clock: clock)
        let agents = AgentStore(sharing: store)
        let agent = try await agents.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        let (token, record) = try await storeToken(agents, agent: agent)
        try await agents.touch(tokenID: record.id, at: clock.now + 5_000)
        try await agents.touch(tokenID: record.id, at: clock.now + 1_000)
        let match = try #require(try await agents.lookup(digest: TokenDigest.hex(of: token), now: clock.now))
        #expect(match.token.lastUsedAt == clock.now + 5_000)
        #expect(try await agents.tokens(agentID: agent.id).first?.lastUsedAt == clock.now + 5_000)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func everyAgentAndTokenChangeWritesAnAuditLine(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let agents = AgentStore(sharing: store)
        let agent = try await agents.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:alice")
        let (_, record) = try await storeToken(agents, agent: agent, label: "ci")
        try await agents.revokeToken(record.id, actor: "mcp:bob")
        try await agents.setDisabled(agent.id, true, actor: "cli:alice")
        try await agents.setDisabled(agent.id, true, actor: "cli:alice")
        try await agents.setDisabled(agent.id, false, actor: "cli:alice")
        try await agents.touch(tokenID: record.id, at: store.clock())
        let log = try await store.audit.entries(taskId: nil).reversed()
        #expect(log.map(\.action) == ["agent.created", "token.created", "token.revoked", "agent.disabled", "agent.enabled"])
        #expect(log.map(\.actor) == ["cli:alice", "cli:ops", "mcp:bob", "cli:alice", "cli:alice"])
        #expect(log.allSatisfy { $0.taskId == nil && $0.details["agent_id"] == .string(agent.id) })
        #expect(log.dropFirst().first?.details["token_id"] == .string(record.id))
        #expect(log.dropFirst().first?.details["label"] == "ci")
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func theCreatorsScopesRoundTripWithTheTask(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var scoped = sampleTask(store, title: "scoped")
        scoped.creatorScopes = ["tasks:read", "webhooks:call"]
        let legacy = sampleTask(store, title: "legacy")
        try await store.tasks.create(scoped, actor: "tests")
        try await store.tasks.create(legacy, actor: "tests")
        #expect(try await store.tasks.task(id: scoped.id) == scoped)
        #expect(try await store.tasks.task(id: legacy.id).creatorScopes == nil)
        let paused = try await store.tasks.update(id: scoped.id, actor: "tests", action: "task.pause") { task, _ in
            task.status = .paused
        }.get()
        #expect(paused.creatorScopes == scoped.creatorScopes)
        #expect(try await store.tasks.task(id: scoped.id).creatorScopes == ["tasks:read", "webhooks:call"])
        _ = try await store.queue.enqueue(taskId: legacy.id, trigger: .manual, actor: "tests")
        let claimed = try await store.queue.claim(worker: "w", limit: 1, lease: 60_000)
        #expect(claimed.count == 1 && claimed[0].task.creatorScopes == nil)
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func migrationThreeAppliesOnADatabaseThatHasMigrationsOneAndTwo(_ backend: Backend) async throws {
        let store = try await backend.makeStore(schemaVersion: 2)
        #expect(try await store.schemaVersion() == 2)
        let old = sampleTask(store, title: "from before agents")
        let columns = """
            id, title, description, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority, \
            dedupe_key, dedupe_window_seconds, max_retries, backoff_strategy, concurrency_key, created_at, updated_at, \
            next_run_at, dtstart, snoozed_until
            """
        try await store.database.transaction { connection throws(StoreError) in
            try connection.execute("INSERT INTO tasks (\(columns)) VALUES (\((1...20).map { "$\($0)" }.joined(separator: ", ")))",
                                   Array(TaskRows.parameters(of: old).prefix(20)))
        }
        #expect(try await store.migrate(upTo: 3) == [3])
        #expect(try await store.schemaVersion() == 3)
        _ = try await store.migrate()
        #expect(try await store.tasks.task(id: old.id) == old, "the task reads back, its creator's scopes unknown")
        let agents = AgentStore(sharing: store)
        let agent = try await agents.createAgent(name: "bot", scopes: ["tasks:read"], actor: "cli:ops")
        #expect(try await agents.agents() == [agent])
        await store.database.close()
    }

    @Test(arguments: Backend.allCases)
    func migrationFiveKeepsTheTraceContextATaskWasCreatedIn(_ backend: Backend) async throws {
        let store = try await backend.makeStore(schemaVersion: 4)
        let old = sampleTask(store, title: "from before tracing")
        let columns = TaskRows.columns.split(separator: ",").prefix(21).joined(separator: ",")
        try await store.database.transaction { connection throws(StoreError) in
            try connection.execute("INSERT INTO tasks (\(columns)) VALUES (\((1...21).map { "$\($0)" }.joined(separator: ", ")))",
                                   Array(TaskRows.parameters(of: old).prefix(21)))
        }
        #expect(try await store.migrate(upTo: 6) == [5, 6])
        #expect(try await store.tasks.task(id: old.id).traceParent == nil, "a task from before migration 5 has no trace context")
        var traced = sampleTask(store, title: "created in a trace")
        traced.traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        try await store.tasks.create(traced, actor: "tests")
        #expect(try await store.tasks.task(id: traced.id).traceParent == traced.traceParent)
        await store.database.close()
    }
}
