import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import Synchronization

/// One session-era HTTP session: its MCP connection, the server-stream state (one GET at a time),
/// and the replay buffer that `Last-Event-ID` resumes from.
final class HTTPSession: Sendable {
    private struct State {
        var lastActivity: ContinuousClock.Instant
        var streamOpen = false
        var streamGeneration = 0
        var streamEnded: OneShot<Void>?
        var replay: ReplayBuffer
        var nextEventID = 0
    }

    let id: String
    /// The subject of the principal that created the session: only it may use the session.
    let owner: String
    /// That principal: the legacy transport handles its messages as it.
    let creator: Principal
    let connection: MCPConnection
    /// For the 2024-11-05 HTTP+SSE transport: messages POSTed to `/messages`, handled by the stream.
    let legacyInbox: Mailbox?
    private let state: Mutex<State>

    init(id: String, creator: Principal, connection: MCPConnection, legacy: Bool, replay: ReplayBuffer) {
        self.id = id
        self.creator = creator
        owner = creator.subject
        self.connection = connection
        legacyInbox = legacy ? Mailbox(capacity: 1024) : nil
        state = Mutex(State(lastActivity: .now, replay: replay))
    }

    func touch() {
        state.withLock { $0.lastActivity = .now }
    }

    func idle(since now: ContinuousClock.Instant) -> Duration {
        state.withLock { $0.streamOpen ? .zero : now - $0.lastActivity }
    }

    /// Claims the server stream for a new GET. A stream that is still open is told to stop (its
    /// client may have gone without the server noticing yet); the returned signal fires once it has,
    /// so that the new stream replays everything the old one took.
    func claimStream() -> (generation: Int, ended: OneShot<Void>, previous: OneShot<Void>?) {
        let ended = OneShot<Void>()
        let (generation, previous, wasOpen) = state.withLock { state in
            state.streamGeneration += 1
            let previous = state.streamEnded
            let wasOpen = state.streamOpen
            state.streamEnded = ended
            state.streamOpen = true
            state.lastActivity = .now
            return (state.streamGeneration, previous, wasOpen)
        }
        if wasOpen { connection.outbox.interrupt() }
        return (generation, ended, wasOpen ? previous : nil)
    }

    /// Whether `generation` still owns the server stream.
    func ownsStream(_ generation: Int) -> Bool {
        state.withLock { $0.streamGeneration == generation }
    }

    func releaseStream(_ generation: Int, ended: OneShot<Void>) {
        state.withLock { state in
            if state.streamGeneration == generation { state.streamOpen = false }
            state.lastActivity = .now
        }
        ended.fire()
    }

    /// Numbers a server-stream message and keeps it for replay.
    func record(_ message: JSONValue) -> Int {
        state.withLock { state in
            state.nextEventID += 1
            state.replay.append(id: state.nextEventID, message: message)
            return state.nextEventID
        }
    }

    /// The kept messages after event `id`.
    func replay(after id: Int) -> [(id: Int, message: JSONValue)] {
        state.withLock { $0.replay.after(id) }
    }

    func close() {
        connection.close()
        legacyInbox?.close()
    }
}

/// Every live HTTP session, bounded in number — in all and per principal, so that one client
/// holding every slot is refused alone — and expired when idle.
final class HTTPSessionStore: Sendable {
    /// Why no session was created.
    enum Refusal: Error {
        case full
        case ownerFull(Int)
    }

    private let sessions = Mutex<[String: HTTPSession]>([:])
    private let limit: Int
    private let perOwnerLimit: Int
    private let replay: ReplayBuffer

    init(limit: Int, perOwnerLimit: Int, replay: ReplayBuffer) {
        self.limit = limit
        self.perOwnerLimit = perOwnerLimit
        self.replay = replay
    }

    var count: Int { sessions.withLock { $0.count } }

    /// A new session owned by `creator`, unless a limit is reached.
    func create(server: MCPServer, legacy: Bool, creator: Principal) -> Result<HTTPSession, Refusal> {
        let id = Self.makeID()
        let owner = creator.subject
        let session = HTTPSession(id: id, creator: creator, connection: MCPConnection(server: server, kind: .httpSession),
                                  legacy: legacy, replay: replay)
        let refusal = sessions.withLock { sessions -> Refusal? in
            guard sessions.count < limit else { return .full }
            // Counting is linear in the sessions, which are bounded (ORDINAUT_MAX_SESSIONS) and created rarely.
            guard sessions.values.lazy.filter({ $0.owner == owner }).count < perOwnerLimit else { return .ownerFull(perOwnerLimit) }
            sessions[id] = session
            return nil
        }
        if let refusal {
            session.close()
            return .failure(refusal)
        }
        return .success(session)
    }

    /// The session `id` if `owner` owns it. Another principal's session does not exist for it.
    func lookup(_ id: String, owner: String) -> HTTPSession? {
        sessions.withLock { $0[id] }.flatMap { $0.owner == owner ? $0 : nil }
    }

    func remove(_ id: String) {
        let removed = sessions.withLock { $0.removeValue(forKey: id) }
        removed?.close()
    }

    /// Closes sessions idle for longer than `limit`; returns how many.
    @discardableResult
    func expire(idleLongerThan limit: Duration) -> Int {
        let now = ContinuousClock.now
        let expired = sessions.withLock { sessions -> [HTTPSession] in
            let stale = sessions.values.filter { $0.idle(since: now) > limit }
            for session in stale { sessions[session.id] = nil }
            return stale
        }
        expired.forEach { $0.close() }
        return expired.count
    }

    func closeAll() {
        let all = sessions.withLock { sessions -> [HTTPSession] in
            defer { sessions.removeAll() }
            return Array(sessions.values)
        }
        all.forEach { $0.close() }
    }

    /// 32 random bytes as hex: unguessable, and visible ASCII as the transport requires.
    private static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
