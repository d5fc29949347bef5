import HTTPTypes
import HummingbirdCore
import NIOCore
@testable import OrdinautHTTP
import Testing

/// The `Accept` header of an MCP request, read once: what the endpoint may answer with.
@Suite("Accepted media")
struct AcceptedMediaTests {
    static func request(accept: String?) -> Request {
        var fields = HTTPFields()
        if let accept { fields[.accept] = accept }
        let head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/mcp", headerFields: fields)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer()))
    }

    @Test(arguments: [
        ("application/json, text/event-stream", true, true, false),
        ("text/event-stream", false, true, true),
        ("Text/Event-Stream;q=1", false, true, true),
        ("application/json", true, false, false),
        ("*/*", true, true, false),
        ("text/html", false, false, false),
        ("", false, false, false),
    ])
    func readsWhatTheHeaderAllows(accept: String, json: Bool, eventStream: Bool, onlyStream: Bool) {
        let media = AcceptedMedia(Self.request(accept: accept))
        #expect(media.stated)
        #expect(media.json == json)
        #expect(media.eventStream == eventStream)
        #expect(media.onlyStream == onlyStream)
    }

    @Test func noHeaderStatesNothing() {
        let media = AcceptedMedia(Self.request(accept: nil))
        #expect(!media.stated && !media.json && !media.eventStream && !media.onlyStream)
    }
}
