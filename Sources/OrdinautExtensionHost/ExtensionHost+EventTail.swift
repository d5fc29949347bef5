import HTTPTypes
import Hummingbird
import OrdinautEvents
import OrdinautExtensionKit
import OrdinautHTTPCommon

extension ExtensionHost {
    /// The most events one follower may fall behind by; older ones are dropped for it (not for
    /// the bus or other subscribers), so a stalled browser tab costs a bounded queue.
    static let tailBacklog = 1000

    /// `GET /events/tail?pattern=…`: every event the bus carries from now on whose topic matches
    /// the pattern, as server-sent events (the web UI's live tail). Each follower is a fan-out
    /// subscription of its own, ended when the client goes away.
    public func addEventTailRoute(to router: Router<ExtensionRequestContext>) {
        router.get("/events/tail") { request, _ in
            let text = request.uri.queryParameters["pattern"].map(String.init) ?? "*"
            let pattern: TopicPattern
            do throws(EventBusError) {
                pattern = try TopicPattern(text)
            } catch {
                return ErrorBody.response(.unprocessableContent, "invalid_pattern", error.message, details: ["field": "pattern"])
            }
            let (items, continuation) = AsyncStream.makeStream(of: EventStreamResponse.Item.self,
                                                               bufferingPolicy: .bufferingNewest(Self.tailBacklog))
            let subscription: EventSubscription
            do throws(EventBusError) {
                subscription = try await self.bus.subscribe(pattern, subscriber: "events-tail", delivery: .fanOut) { event in
                    continuation.yield(EventStreamResponse.Item(id: event.id, data: event.json))
                }
            } catch {
                return ErrorBody.response(.serviceUnavailable, "events_unavailable", "the event bus cannot be followed now: \(error.message)",
                                          headers: [.retryAfter: "5"])
            }
            return EventStreamResponse.make(items) {
                subscription.cancel()
                continuation.finish()
            }
        }
    }
}
