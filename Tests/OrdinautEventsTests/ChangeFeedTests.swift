import OrdinautCore
import OrdinautEvents
import Testing

@Suite("Change feed")
struct ChangeFeedTests {
    private func names(_ changes: [ChangeFeed.Change]) -> [String] { changes.map(\.name) }

    /// Reads `count` items, or fewer when the stream ends first.
    private func read(_ follow: ChangeFeed.Follow, _ count: Int) async -> [ChangeFeed.Item] {
        var items: [ChangeFeed.Item] = []
        var iterator = follow.items.makeAsyncIterator()
        while items.count < count, let item = await iterator.next() { items.append(item) }
        return items
    }

    @Test func followersGetWhatComesNextAndResumeFromTheirLastID() async {
        let feed = ChangeFeed(replayCount: 10, replayBytes: 1 << 20, queueLimit: 10)
        feed.publish("task.created", ["task_id": "a"])
        let live = feed.follow(after: nil)
        #expect(live.replay.isEmpty && live.replayComplete && live.latestID == 1)
        feed.publish("task.status", ["task_id": "a", "status": "paused"])
        feed.publish("run.started", ["run_id": "r"])
        let items = await read(live, 2)
        #expect(items.map { if case .change(let change) = $0 { change.id } else { 0 } } == [2, 3])
        let resumed = feed.follow(after: 1)
        #expect(resumed.replayComplete && names(resumed.replay) == ["task.status", "run.started"])
        #expect(resumed.replay.first?.data["status"] == "paused")
        let current = feed.follow(after: 3)
        #expect(current.replayComplete && current.replay.isEmpty)
        live.stop()
        resumed.stop()
        current.stop()
        #expect(feed.followers == 0)
    }

    @Test func anIDNoLongerKeptUnknownOrFromAnotherProcessAsksForAReset() {
        let feed = ChangeFeed(replayCount: 2, replayBytes: 1 << 20, queueLimit: 10)
        for index in 0..<5 { feed.publish("task.updated", ["n": .integer(Int64(index))]) }
        let old = feed.follow(after: 1)
        #expect(!old.replayComplete && old.replay.map(\.id) == [4, 5] && old.latestID == 5)
        let edge = feed.follow(after: 3)
        #expect(edge.replayComplete && edge.replay.map(\.id) == [4, 5])
        #expect(!feed.follow(after: 99).replayComplete, "an id ahead of this process: it restarted")
        #expect(!feed.follow(after: -1).replayComplete, "a Last-Event-ID that is not a number")
    }

    @Test func aFollowerThatDoesNotReadIsCutOffWhenItsQueueIsFull() async {
        let feed = ChangeFeed(replayCount: 100, replayBytes: 1 << 20, queueLimit: 3)
        let slow = feed.follow(after: nil)
        for index in 0..<5 { feed.publish("run.finished", ["n": .integer(Int64(index))]) }
        #expect(feed.followers == 0)
        // It still gets what was queued, then its stream ends.
        let items = await read(slow, 10)
        #expect(items.count == 3)
        let fresh = feed.follow(after: 3)
        #expect(fresh.replayComplete && fresh.replay.map(\.id) == [4, 5], "it resumes by reconnecting")
    }

    @Test func keepAlivesQueueBehindChangesAndCountAgainstTheQueue() async {
        let feed = ChangeFeed(replayCount: 10, replayBytes: 1 << 20, queueLimit: 2)
        let follow = feed.follow(after: nil)
        feed.publish("task.created", [:])
        follow.keepAlive()
        #expect(await read(follow, 2).last == .keepAlive)
        follow.keepAlive()
        follow.keepAlive()
        follow.keepAlive()
        #expect(feed.followers == 0, "a queue full of unread keep-alives means the reader is gone")
    }
}
