import OrdinautCore
import Testing
@testable import OrdinautTracing

@Suite struct OTLPJSONTests {
    @Test func aSpanIsEncodedAsOTLPJSONSpellsIt() throws {
        let linked = SpanContext(traceID: TraceID(high: 5, low: 6), spanID: SpanID(7), flags: 1)
        let encoder = OTLPJSON(serviceName: "orders", resourceAttributes: [("deployment.environment", "prod")], version: "0.1.0")
        let body = try JSONParser().parse(encoder.encode([
            finishedSpan("POST", parent: SpanID(0x10), links: [SpanRecord.Link(context: linked, attributes: ["reason": "created"])]),
        ]))
        let resource = body["resourceSpans"]?.arrayValue?.first?["resource"]?["attributes"]?.arrayValue ?? []
        #expect(resource.first?["key"] == "service.name")
        #expect(resource.first?["value"]?["stringValue"] == "orders")
        #expect(resource.contains { $0["key"] == "deployment.environment" && $0["value"]?["stringValue"] == "prod" })
        let span = try #require(body["resourceSpans"]?.arrayValue?.first?["scopeSpans"]?.arrayValue?.first?["spans"]?.arrayValue?.first)
        #expect(span["traceId"] == "00000000000001020000000000000304", "ids are hex in OTLP/JSON, not base64")
        #expect(span["spanId"] == "0000000000000abc")
        #expect(span["parentSpanId"] == "0000000000000010")
        #expect(span["kind"] == 3, "SPAN_KIND_CLIENT")
        #expect(span["startTimeUnixNano"] == "1700000000000000000", "64-bit integers are strings")
        #expect(span["endTimeUnixNano"] == "1700000000500000000")
        #expect(span["status"]?["code"] == 2)
        #expect(span["status"]?["message"] == "boom")
        let attributes = span["attributes"]?.arrayValue ?? []
        #expect(attributes.contains { $0["key"] == "http.response.status_code" && $0["value"]?["intValue"] == "200" })
        #expect(attributes.contains { $0["key"] == "url.path" && $0["value"]?["stringValue"] == "/mcp" })
        #expect(span["links"]?.arrayValue?.first?["traceId"] == "00000000000000050000000000000006")
        #expect(span["links"]?.arrayValue?.first?["spanId"] == "0000000000000007")
    }
}
