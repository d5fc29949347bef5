import Logging
import OrdinautAuth
import OrdinautStore
import Synchronization

/// The stored agent tokens, as `AgentTokenAuthenticator` asks for them. It records that a token was
/// used (`last_used_at`) at most once per `touchInterval` per token — across nodes too, since it
/// skips tokens whose stored `last_used_at` is recent — so authenticating is a read, not a write.
public final class StoredAgentDirectory: AgentTokenDirectory {
    public let store: AgentStore
    /// The least time between two recordings of a token's use, in milliseconds.
    public let touchInterval: Int64
    private let logger: Logger
    /// When this process last recorded each token's use; at most `maxTracked` tokens.
    private let touched = Mutex<[String: Int64]>([:])
    private let maxTracked = 10_000

    public init(store: AgentStore, touchInterval: Duration = .seconds(60), logger: Logger = Logger(label: "ordinaut.agents")) {
        self.store = store
        self.touchInterval = touchInterval.components.seconds * 1000 + touchInterval.components.attoseconds / 1_000_000_000_000_000
        self.logger = logger
    }

    public func lookup(digest: String) async throws -> AgentTokenLookup {
        let now = store.clock()
        guard let match = try await store.lookup(digest: digest, now: now) else { return .unknown }
        if let refusal = match.refusal { return .refused(reason: refusal.description) }
        if shouldTouch(match.token, at: now) {
            do throws(StoreError) {
                try await store.touch(tokenID: match.token.id, at: now)
            } catch {
                // Only the record of use is lost; the token itself was checked.
                logger.warning("could not record the use of an agent token", metadata: ["token_id": "\(match.token.id)", "error": "\(error)"])
            }
        }
        return .found(agentID: match.agent.id, agentName: match.agent.name, tokenID: match.token.id, scopes: match.agent.scopes)
    }

    private func shouldTouch(_ token: AgentTokenRecord, at now: Int64) -> Bool {
        if let used = token.lastUsedAt, now - used < touchInterval { return false }
        let interval = touchInterval
        let limit = maxTracked
        return touched.withLock { touched -> Bool in
            if let last = touched[token.id], now - last < interval { return false }
            if touched.count >= limit {
                touched = touched.filter { now - $0.value < interval }
                if touched.count >= limit { touched.removeAll() }
            }
            touched[token.id] = now
            return true
        }
    }
}
