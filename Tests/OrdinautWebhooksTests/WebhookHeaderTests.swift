import OrdinautCore
import OrdinautMCP
@testable import OrdinautWebhooks
import Testing

@Suite("Webhook header names and media types, decided on bytes")
struct WebhookHeaderTests {
    @Test("header names are equal regardless of ASCII case, and only then")
    func headerNames() {
        #expect(HeaderBytes.sameName("User-Agent", "user-agent"))
        #expect(HeaderBytes.sameName("CONTENT-TYPE", "Content-Type"))
        #expect(!HeaderBytes.sameName("User-Agent", "User-Agenx"))
        #expect(!HeaderBytes.sameName("User-Agent", "User-Agent2"))
        #expect(!HeaderBytes.sameName("X-[", "X-{"))
        #expect(!HeaderBytes.sameName("", "a"))
    }

    @Test("a header the manifest set in another case is not added again")
    func appendIfMissing() {
        var headers: [(name: String, value: String)] = [("user-agent", "mine"), ("content-type", "text/plain")]
        headers.appendIfMissing("User-Agent", "ordinaut-webhook")
        headers.appendIfMissing("Content-Type", "application/json")
        headers.appendIfMissing("Accept", "*/*")
        #expect(headers.map(\.name) == ["user-agent", "content-type", "Accept"])
        #expect(headers.map(\.value) == ["mine", "text/plain", "*/*"])
    }

    @Test("JSON media types are recognised in any case, with parameters and suffixes")
    func jsonMediaTypes() {
        for type in ["application/json", "Application/JSON; charset=utf-8", "application/problem+json", "text/x-JSON"] {
            #expect(HeaderBytes.isJSONMediaType(type), "\(type)")
        }
        for type in ["text/plain", "", "jso", "application/jsom", "application/xml; note=js-on"] {
            #expect(!HeaderBytes.isJSONMediaType(type), "\(type)")
        }
    }

    @Test("a JSON answer becomes structured content whatever the case of its type; other answers stay text")
    func structuredResults() {
        let call = HTTPCall(url: "http://127.0.0.1/", method: "GET")
        let body = Array(#"{"city":"Chisinau"}"#.utf8)
        let json = WebhookTool.result(HTTPCallResponse(status: 200, contentType: "Application/JSON; charset=utf-8", body: body), call: call, name: "hook")
        #expect(json.structuredContent == ["city": "Chisinau"])
        let text = WebhookTool.result(HTTPCallResponse(status: 200, contentType: "text/plain", body: body), call: call, name: "hook")
        // JSONValue is ExpressibleByNilLiteral: `== nil` would compare with `.null`.
        if let structured = text.structuredContent { Issue.record("a text/plain answer got structured content \(structured)") }
    }
}
