import HTTPTypes
import HummingbirdCore
import OrdinautHTTPCommon

/// What a request's `Accept` header lets the MCP endpoint answer with, read once per request.
struct AcceptedMedia {
    /// Whether the request has an `Accept` header at all (without one, a POST is not refused).
    let stated: Bool
    /// JSON answers are accepted (`application/json` or `*/*`).
    let json: Bool
    /// Server-sent event streams are accepted (`text/event-stream` or `*/*`).
    let eventStream: Bool

    init(_ request: Request) {
        guard let accept = request.headers.value(.accept) else {
            (stated, json, eventStream) = (false, false, false)
            return
        }
        let anything = HeaderText.contains(accept, "*/*")
        stated = true
        json = anything || HeaderText.contains(accept, "application/json")
        eventStream = anything || HeaderText.contains(accept, "text/event-stream")
    }

    /// A POST must be answered on a stream: it accepts `text/event-stream` and not JSON.
    var onlyStream: Bool { eventStream && !json }
}
