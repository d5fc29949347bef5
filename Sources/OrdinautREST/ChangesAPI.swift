import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautCore
import OrdinautEvents
import ServiceLifecycle

/// `GET /changes`: the change feed as Server-Sent Events. Each change is sent as
/// `id: <n>`, `event: <name>`, `data: <json>`; a client that reconnects with `Last-Event-ID` gets
/// what it missed while the feed still keeps it, and otherwise first an `event: reset` (reload your
/// lists) whose id is the latest change. A comment line every `keepAlive` keeps proxies from
/// closing an idle stream; a client that reads slower than changes come is cut off when its queue
/// (`ORDINAUT_CHANGES_QUEUE`) is full, and resumes by reconnecting. The access layer asks for `tasks:read`.
public struct ChangesAPI: Sendable {
    let feed: ChangeFeed
    let keepAlive: Duration
    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    public init(feed: ChangeFeed, keepAlive: Duration) {
        self.feed = feed
        self.keepAlive = keepAlive
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/changes") { request, _ in
            // An id this feed could not have issued asks for a reset, like one it no longer keeps.
            let lastID = request.headers[Self.lastEventID].map { Int($0.trimmingCharacters(in: .whitespaces)) ?? -1 }
            let follow = feed.follow(after: lastID)
            let keepAlive = self.keepAlive
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
                let ticker = Task {
                    while (try? await Task.sleep(for: keepAlive)) != nil { follow.keepAlive() }
                }
                var opening = Array("retry: 2000\n\n".utf8)
                if !follow.replayComplete { opening += Self.encode(id: follow.latestID, name: "reset", data: ["latest_id": .integer(Int64(follow.latestID))]) }
                for change in follow.replay { opening += Self.encode(id: change.id, name: change.name, data: change.data) }
                do {
                    try await writer.write(ByteBuffer(bytes: opening))
                    try await withGracefulShutdownHandler {
                        for await item in follow.items {
                            switch item {
                            case .change(let change): try await writer.write(ByteBuffer(bytes: Self.encode(id: change.id, name: change.name, data: change.data)))
                            case .keepAlive: try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            }
                        }
                    } onGracefulShutdown: {
                        follow.stop()
                    }
                } catch {
                    // The client went away.
                }
                ticker.cancel()
                follow.stop()
                try? await writer.finish(nil)
            })
        }
    }

    static func encode(id: Int, name: String, data: JSONValue) -> [UInt8] {
        var bytes = Array("id: \(id)\nevent: \(name)\ndata: ".utf8)
        data.encode(into: &bytes)
        bytes += [0x0A, 0x0A]
        return bytes
    }
}
