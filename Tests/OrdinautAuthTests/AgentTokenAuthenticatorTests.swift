import OrdinautAuth
import Synchronization
import Testing

@Suite("Agent token authenticator")
struct AgentTokenAuthenticatorTests {
    /// Stored tokens by digest, counting the lookups; it can be made to fail like a database that is down.
    final class MemoryDirectory: AgentTokenDirectory {
        private struct State {
            var answers: [String: AgentTokenLookup] = [:]
            var lookups = 0
            var failing = false
        }

        private let state = Mutex(State())

        struct Down: Error, CustomStringConvertible {
            var description: String { "connection refused" }
        }

        func lookup(digest: String) async throws -> AgentTokenLookup {
            try state.withLock { state throws -> AgentTokenLookup in
                state.lookups += 1
                if state.failing { throw Down() }
                return state.answers[digest] ?? .unknown
            }
        }

        func set(_ token: String, _ answer: AgentTokenLookup) {
            state.withLock { $0.answers[TokenDigest.hex(of: token)] = answer }
        }

        func fail(_ failing: Bool) {
            state.withLock { $0.failing = failing }
        }

        var lookups: Int { state.withLock { $0.lookups } }
    }

    /// A monotonic clock the test moves by hand.
    final class ManualClock: Sendable {
        private let start = ContinuousClock.now
        private let elapsed = Mutex(Duration.zero)

        var now: ContinuousClock.Instant { start + elapsed.withLock { $0 } }

        func advance(_ duration: Duration) {
            elapsed.withLock { $0 += duration }
        }
    }

    static func found(_ name: String = "ci-bot") -> AgentTokenLookup {
        .found(agentID: "0190-agent", agentName: name, tokenID: "0190-token", scopes: ["tasks:read", "tasks:write"])
    }

    func rig(delay: Duration = .seconds(5), capacity: Int = 10_000) -> (AgentTokenAuthenticator, MemoryDirectory, ManualClock) {
        let directory = MemoryDirectory()
        let clock = ManualClock()
        return (AgentTokenAuthenticator(directory: directory, revocationDelay: delay, capacity: capacity, clock: { clock.now }), directory, clock)
    }

    @Test func generatedTokensAreWellFormedDistinctAndShowOnlyTheirStart() {
        let tokens = (0..<100).map { _ in AgentTokenFormat.generate() }
        #expect(Set(tokens).count == 100)
        for token in tokens {
            #expect(token.count == AgentTokenFormat.length && token.hasPrefix("ordn_"))
            #expect(AgentTokenFormat.isWellFormed(token))
            #expect(AgentTokenFormat.displayPrefix(of: token).count == 13 && token.hasPrefix(AgentTokenFormat.displayPrefix(of: token)))
        }
        #expect(!AgentTokenFormat.isWellFormed("ordn_short"))
        #expect(!AgentTokenFormat.isWellFormed("ordn_" + String(repeating: "+", count: 43)))
        #expect(!AgentTokenFormat.isWellFormed("xxxx_" + String(repeating: "a", count: 43)))
    }

    @Test func otherCredentialsAreLeftAloneWithoutALookup() async {
        let (authenticator, directory, _) = rig()
        #expect(authenticator.name == "agent_token")
        for credential: Credential in [
            .bearer("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"), .bearer("a-tokens-file-token"), .bearer(""),
            .proxy(secret: "s", user: "u", scopes: "admin"),
        ] {
            #expect(await authenticator.authenticate(credential) == .unrecognized)
        }
        #expect(directory.lookups == 0)
    }

    @Test func aMalformedAgentTokenIsRejectedWithoutALookup() async {
        let (authenticator, directory, _) = rig()
        #expect(await authenticator.authenticate(.bearer("ordn_tooshort")) == .rejected("the agent token is malformed"))
        #expect(directory.lookups == 0)
    }

    @Test func aStoredTokenAuthenticatesItsAgent() async {
        let (authenticator, directory, _) = rig()
        let token = AgentTokenFormat.generate()
        directory.set(token, Self.found())
        let result = await authenticator.authenticate(.bearer(token))
        guard case .authenticated(let principal) = result else {
            Issue.record("expected a principal, got \(result)")
            return
        }
        #expect(principal.subject == "agent:0190-agent")
        #expect(principal.displayName == "ci-bot")
        #expect(principal.method == .agentToken)
        #expect(principal.holds("tasks:write") && !principal.holds("admin") && !principal.holds("agents:write"))
    }

    @Test func aRevocationTakesEffectOnceTheCachedAnswerIsOlderThanTheRevocationDelay() async {
        let (authenticator, directory, clock) = rig(delay: .seconds(5))
        let token = AgentTokenFormat.generate()
        directory.set(token, Self.found())
        #expect(await authenticator.authenticate(.bearer(token)).isAuthenticated)
        directory.set(token, .refused(reason: "the token was revoked"))
        clock.advance(.seconds(4.9))
        #expect(await authenticator.authenticate(.bearer(token)).isAuthenticated, "the cached answer is still used")
        #expect(directory.lookups == 1)
        clock.advance(.milliseconds(100))
        #expect(await authenticator.authenticate(.bearer(token)) == .rejected("the token was revoked"))
        #expect(directory.lookups == 2)
    }

    @Test func refusalsAndUnknownTokensAreCachedToo() async {
        let (authenticator, directory, clock) = rig()
        let unknown = AgentTokenFormat.generate()
        let disabled = AgentTokenFormat.generate()
        directory.set(disabled, .refused(reason: "the token's agent is disabled"))
        for _ in 0..<3 {
            #expect(await authenticator.authenticate(.bearer(unknown)) == .unrecognized)
            #expect(await authenticator.authenticate(.bearer(disabled)) == .rejected("the token's agent is disabled"))
        }
        #expect(directory.lookups == 2)
        directory.set(disabled, Self.found())
        clock.advance(.seconds(5))
        #expect(await authenticator.authenticate(.bearer(disabled)).isAuthenticated, "enabling the agent again takes effect too")
    }

    @Test func aDirectoryThatFailsMakesTheTokenUncheckableNotRejectedAndIsAskedAgain() async {
        let (authenticator, directory, _) = rig()
        let token = AgentTokenFormat.generate()
        directory.set(token, Self.found())
        directory.fail(true)
        let result = await authenticator.authenticate(.bearer(token))
        #expect(result == .unavailable("agent tokens cannot be checked now: connection refused"))
        directory.fail(false)
        #expect(await authenticator.authenticate(.bearer(token)).isAuthenticated)
        #expect(directory.lookups == 2)
    }

    @Test func theCacheKeepsAtMostItsCapacityDroppingTheOldestFirst() async {
        let (authenticator, directory, clock) = rig(capacity: 3)
        let tokens = (0..<5).map { _ in AgentTokenFormat.generate() }
        for token in tokens {
            directory.set(token, Self.found())
            #expect(await authenticator.authenticate(.bearer(token)).isAuthenticated)
            clock.advance(.milliseconds(10))
        }
        #expect(authenticator.cachedAnswers == 3)
        #expect(directory.lookups == 5)
        _ = await authenticator.authenticate(.bearer(tokens[4]))
        #expect(directory.lookups == 5, "the newest answers are kept")
        _ = await authenticator.authenticate(.bearer(tokens[0]))
        #expect(directory.lookups == 6, "the oldest was dropped")
        #expect(authenticator.cachedAnswers == 3)
    }

    @Test func expiredAnswersLeaveTheCacheAsNewOnesArrive() async {
        let (authenticator, directory, clock) = rig(delay: .seconds(1), capacity: 100)
        for _ in 0..<50 { _ = await authenticator.authenticate(.bearer(AgentTokenFormat.generate())) }
        #expect(authenticator.cachedAnswers == 50)
        clock.advance(.seconds(2))
        _ = await authenticator.authenticate(.bearer(AgentTokenFormat.generate()))
        #expect(authenticator.cachedAnswers == 1)
        #expect(directory.lookups == 51)
    }
}

fileprivate extension AuthenticationResult {
    var isAuthenticated: Bool {
        if case .authenticated = self { return true }
        return false
    }
}
