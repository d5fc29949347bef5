import OrdinautCore
import Synchronization

/// Changes to tasks, runs, steps, approvals and extensions, numbered and fanned out to whoever
/// follows them (`GET /changes`). The latest are kept in a `ReplayBuffer` so that a follower that
/// reconnects with the last id it saw misses nothing still kept; one asking from before what is
/// kept learns so (`Follow.replayComplete == false`) and reloads. Each follower has a bounded
/// queue: one that does not keep up is cut off (its stream ends) rather than buffered without end.
/// Ids count from 1 per process; a follower whose last id is ahead of this process (it followed a
/// process that restarted) is told to reload too.
public final class ChangeFeed: Sendable {
    public struct Change: Sendable, Equatable {
        public let id: Int
        /// `task.created`, `run.finished`, … (see `GET /changes` in protocol/openapi.json).
        public let name: String
        public let data: JSONValue
    }

    /// What a follower reads: changes, and the keep-alive marks it asked for (queued behind them).
    public enum Item: Sendable, Equatable {
        case change(Change)
        case keepAlive
    }

    /// What a new follower gets: what it missed, and what comes next.
    public struct Follow: Sendable {
        public let replay: [Change]
        /// False when changes after the follower's last id are no longer kept (or its id is unknown).
        public let replayComplete: Bool
        /// The id of the latest change when following began (0 before the first).
        public let latestID: Int
        public let items: AsyncStream<Item>
        /// Queues a keep-alive mark; a follower whose queue is full is cut off instead.
        public let keepAlive: @Sendable () -> Void
        public let stop: @Sendable () -> Void
    }

    private struct State {
        var nextID = 1
        var replay: ReplayBuffer
        var followers: [Int: AsyncStream<Item>.Continuation] = [:]
        var nextFollower = 0
    }

    public let queueLimit: Int
    private let state: Mutex<State>

    /// Keeps the latest `replayCount` changes within `replayBytes`; each follower queues at most `queueLimit`.
    public init(replayCount: Int = 1000, replayBytes: Int = 1 << 20, queueLimit: Int = 1000) {
        self.queueLimit = queueLimit
        state = Mutex(State(replay: ReplayBuffer(countLimit: replayCount, byteLimit: replayBytes)))
    }

    public func publish(_ name: String, _ data: JSONObject) {
        let overflowing = state.withLock { state -> [AsyncStream<Item>.Continuation] in
            let change = Change(id: state.nextID, name: name, data: .object(data))
            state.nextID += 1
            state.replay.append(id: change.id, message: ["name": .string(name), "data": change.data])
            var full: [AsyncStream<Item>.Continuation] = []
            for (key, follower) in state.followers {
                if case .dropped = follower.yield(.change(change)) {
                    full.append(follower)
                    state.followers.removeValue(forKey: key)
                }
            }
            return full
        }
        // Ended outside the lock: ending runs the follower's termination handler, which takes it.
        for follower in overflowing { follower.finish() }
    }

    /// Starts following after `lastID` (nil: from now on).
    public func follow(after lastID: Int?) -> Follow {
        let (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(queueLimit))
        let (key, replay, complete, latest) = state.withLock { state -> (Int, [Change], Bool, Int) in
            state.nextFollower += 1
            state.followers[state.nextFollower] = continuation
            let latest = state.nextID - 1
            guard let lastID else { return (state.nextFollower, [], true, latest) }
            let kept = state.replay.after(lastID).compactMap { item -> Change? in
                guard let name = item.message["name"]?.stringValue, let data = item.message["data"] else { return nil }
                return Change(id: item.id, name: name, data: data)
            }
            let complete = lastID >= 0 && lastID <= latest && (lastID == latest || (state.replay.oldestID ?? Int.max) <= lastID + 1)
            return (state.nextFollower, kept, complete, latest)
        }
        let stop: @Sendable () -> Void = { [weak self] in
            let removed = self?.state.withLock { $0.followers.removeValue(forKey: key) } ?? nil
            removed?.finish()
        }
        continuation.onTermination = { _ in stop() }
        let keepAlive: @Sendable () -> Void = {
            if case .dropped = continuation.yield(.keepAlive) { stop() }
        }
        return Follow(replay: replay, replayComplete: complete, latestID: latest, items: stream, keepAlive: keepAlive, stop: stop)
    }

    /// How many follow now.
    public var followers: Int { state.withLock { $0.followers.count } }
}
