import Foundation
import OrdinautAuth
import Synchronization
import Testing

@Suite("Scopes and the access policy")
struct ScopeTests {
    @Test func adminHoldsEveryScopeAndIntersectionsKeepOnlyShared() {
        let admin = ScopeSet(["admin"])
        #expect(admin.contains("tasks:write"))
        #expect(admin.contains("ext:anything:tools"))
        let reader = ScopeSet(["tasks:read", "mcp"])
        #expect(!reader.contains("tasks:write"))
        #expect(admin.intersection(reader) == reader)
        #expect(reader.intersection(ScopeSet(["mcp", "events:publish"])).sorted == ["mcp"])
        #expect(ScopeSet(parsing: "mcp  tasks:read,tasks:write").sorted == ["mcp", "tasks:read", "tasks:write"])
    }

    @Test func everyRouteFamilyHasItsRequirement() {
        func requirement(_ method: String, _ path: String) -> AccessPolicy.Requirement {
            AccessPolicy.requirement(method: method, path: Substring(path))
        }
        #expect(requirement("GET", "/health") == .open)
        #expect(requirement("GET", "/health/ready") == .open)
        #expect(requirement("GET", "/.well-known/oauth-protected-resource/mcp") == .open)
        #expect(requirement("POST", "/mcp") == .authenticated)
        #expect(requirement("GET", "/sse") == .authenticated)
        #expect(requirement("POST", "/messages") == .authenticated)
        #expect(requirement("GET", "/tasks") == .scope("tasks:read"))
        #expect(requirement("GET", "/tasks/abc/audit") == .scope("tasks:read"))
        #expect(requirement("POST", "/tasks") == .scope("tasks:write"))
        #expect(requirement("PATCH", "/tasks/abc") == .scope("tasks:write"))
        #expect(requirement("GET", "/runs/abc") == .scope("tasks:read"))
        #expect(requirement("POST", "/runs/abc/approve") == .scope("runs:approve"))
        #expect(requirement("POST", "/runs/abc/cancel") == .scope("runs:write"))
        #expect(requirement("POST", "/events") == .scope("events:publish"))
        #expect(requirement("GET", "/agents") == .scope("admin"))
        #expect(requirement("GET", "/audit") == .scope("admin"))
        #expect(requirement("GET", "/metrics") == .scope("metrics:read"))
        #expect(requirement("GET", "/ext/observability/metrics") == .scope("metrics:read"))
        #expect(requirement("GET", "/ext/status") == .scope("extensions:read"))
        #expect(requirement("GET", "/tools") == .scope("extensions:read"))
        #expect(requirement("GET", "/ext/weather/health") == .open)
        #expect(requirement("POST", "/ext/weather/health") == .scope("ext:weather:routes"))
        #expect(requirement("GET", "/ext/weather/static/index.html") == .scope("ext:weather:routes"))
        #expect(requirement("POST", "/ext/mcp_http/") == .scope("ext:mcp_http:routes"))
        // The web UI's pages load before anyone signs in; nothing else of it, nor another extension's files, does.
        #expect(requirement("GET", "/ext/webui/") == .open)
        #expect(requirement("GET", "/ext/webui/static/js/app.js") == .open)
        #expect(requirement("POST", "/ext/webui/static/x") == .scope("ext:webui:routes"))
        #expect(requirement("GET", "/ext/webui/other") == .scope("ext:webui:routes"))
        #expect(requirement("GET", "/ext/webuix/static/a") == .scope("ext:webuix:routes"))
        #expect(requirement("POST", "/session") == .open)
        #expect(requirement("GET", "/session") == .open)
        #expect(requirement("DELETE", "/session") == .authenticated)
        // The OAuth sign-in's start and callback are navigations of a browser with no credential yet.
        #expect(requirement("GET", "/session/oauth") == .open)
        #expect(requirement("GET", "/session/oauth/callback") == .open)
        #expect(requirement("POST", "/session/oauth/callback") == .authenticated)
        #expect(requirement("GET", "/session/other") == .authenticated)
        #expect(requirement("GET", "/events/tail") == .scope("events:publish"))
        // What the policy does not know needs a credential: a 404 then tells an anonymous client nothing.
        #expect(requirement("GET", "/nothing/here") == .authenticated)
    }
}

@Suite("Rate and concurrency limits")
struct LimitTests {
    @Test func aBucketAllowsItsBurstThenRefillsAtItsRate() {
        var bucket = TokenBucket(limit: .init(rate: 2, burst: 3), now: 0)
        #expect(bucket.take(now: 0) == .allowed(remaining: 2))
        #expect(bucket.take(now: 0) == .allowed(remaining: 1))
        #expect(bucket.take(now: 0) == .allowed(remaining: 0))
        #expect(bucket.take(now: 0) == .limited(retryAfter: 1))
        #expect(bucket.take(now: 0.5) == .allowed(remaining: 0))
        #expect(bucket.take(now: 0.5) == .limited(retryAfter: 1))
        // Refill stops at the burst.
        #expect(bucket.isFull(now: 100))
        #expect(bucket.take(now: 100) == .allowed(remaining: 2))
    }

    @Test func aSlowRateTellsWhenToComeBack() {
        var bucket = TokenBucket(limit: .init(rate: 0.1, burst: 1), now: 0)
        #expect(bucket.take(now: 0) == .allowed(remaining: 0))
        #expect(bucket.take(now: 1) == .limited(retryAfter: 9))
    }

    @Test func keysAreLimitedApartAndTheirNumberIsBounded() {
        let clock = ManualClock()
        let limiter = RateLimiter(maximumKeys: 4, clock: { clock.now })
        let limit = TokenBucket.Limit(rate: 1, burst: 1)
        #expect(limiter.take("a", limit: limit) == .allowed(remaining: 0))
        #expect(limiter.take("a", limit: limit) == .limited(retryAfter: 1))
        #expect(limiter.take("b", limit: limit) == .allowed(remaining: 0))
        for key in 0..<100 { _ = limiter.take("k\(key)", limit: limit) }
        #expect(limiter.trackedKeys <= 4)
    }

    @Test func oneKeyTakingEverySlotIsRefusedAlone() {
        let limiter = ConcurrencyLimiter(limitPerKey: 2)
        #expect(limiter.acquire("greedy"))
        #expect(limiter.acquire("greedy"))
        #expect(!limiter.acquire("greedy"))
        #expect(limiter.acquire("polite"))
        limiter.release("greedy")
        #expect(limiter.acquire("greedy"))
        #expect(limiter.held(by: "polite") == 1)
    }

    @Test func toolOverridesWinByNameThenScope() {
        let policy = RateLimitPolicy(toolCalls: .init(rate: 50, burst: 100),
                                     toolOverrides: ["task_create": .init(rate: 1, burst: 2), "ext:w:tools": .init(rate: 5, burst: 5)])
        #expect(policy.toolLimit(tool: "task_create", wireName: "task_create", scope: "tasks:write")?.limit == .init(rate: 1, burst: 2))
        #expect(policy.toolLimit(tool: "ext.w.get", wireName: "ext__w__get", scope: "ext:w:tools")?.limit == .init(rate: 5, burst: 5))
        #expect(policy.toolLimit(tool: "task_list", wireName: "task_list", scope: "tasks:read")?.bucket == "tools")
        #expect(RateLimitPolicy.unlimited.toolLimit(tool: "x", wireName: "x", scope: "mcp") == nil)
    }
}

@Suite("Credential checks")
struct CredentialTests {
    @Test func aTrustedProxyIsBelievedOnlyWithItsSecret() async {
        let proxy = TrustedProxyAuthenticator(secret: String(repeating: "s", count: 40))
        let good = await proxy.authenticate(.proxy(secret: String(repeating: "s", count: 40), user: "ana", scopes: "tasks:read mcp"))
        guard case .authenticated(let principal) = good else {
            Issue.record("expected a principal, got \(good)")
            return
        }
        #expect(principal.displayName == "ana")
        #expect(principal.holds("tasks:read") && !principal.holds("tasks:write"))
        #expect(await proxy.authenticate(.proxy(secret: "wrong", user: "ana", scopes: "admin")) == .rejected("the proxy secret is not valid"))
        #expect(await proxy.authenticate(.bearer("token")) == .unrecognized)
    }

    @Test func theChainAsksInOrderUntilOneRecognizesTheCredential() async {
        struct Fixed: Authenticator {
            let name: String
            let result: AuthenticationResult
            func authenticate(_ credential: Credential) async -> AuthenticationResult { result }
        }
        let someone = Principal(subject: "agent:1", displayName: "one", scopes: .none, method: .agentToken)
        let chain = AuthenticatorChain([Fixed(name: "a", result: .unrecognized), Fixed(name: "b", result: .authenticated(someone)),
                                        Fixed(name: "c", result: .rejected("never asked"))])
        #expect(await chain.authenticate(.bearer("x")) == .authenticated(someone))
        #expect(await AuthenticatorChain([]).authenticate(.bearer("x")) == .unrecognized)
    }

    @Test func theTokensFileKeepsDigestsNotTokens() async throws {
        let path = "/tmp/ordinaut-tokens-\(UInt64.random(in: 0 ... .max)).json"
        let digest = TokenDigest.hex(of: "secret-token")
        #expect(digest == "930bbdc51b6aed5c2a5678fd6e28dee7a05e8a4b643cfc0b4427c3efb86c0d94")
        try Data(#"{"tokens": [{"name": "ci", "sha256": "\#(digest)", "scopes": ["tasks:read"]}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let file = try TokensFileAuthenticator(contentsOf: path)
        guard case .authenticated(let principal) = await file.authenticate(.bearer("secret-token")) else {
            Issue.record("the token was not recognized")
            return
        }
        #expect(principal.subject == "token:ci" && principal.method == .tokensFile)
        #expect(await file.authenticate(.bearer("other")) == .unrecognized)
        #expect(throws: ConfigurationProblem.self) { try TokensFileAuthenticator(contentsOf: "/nonexistent/tokens.json") }
    }
}

/// A clock the test moves.
final class ManualClock: Sendable {
    private let value = Mutex(0.0)
    var now: Double { value.withLock { $0 } }
    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}
