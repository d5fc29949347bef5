import Testing
@testable import OrdinautTracing

@Suite struct TraceParentTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aValidTraceparentParsesAndFormatsBackTheSame() throws {
        let context = try #require(SpanContext(traceparent: Self.valid, traceState: "vendor=1"))
        #expect(context.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.spanID.hex == "00f067aa0ba902b7")
        #expect(context.isSampled)
        #expect(context.isRemote)
        #expect(context.traceState == "vendor=1")
        #expect(context.traceparent == Self.valid)
    }

    @Test func theSampledFlagIsBitZero() throws {
        let context = try #require(SpanContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!context.isSampled)
    }

    @Test(arguments: [
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",      // short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",    // version 00 with more fields
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",     // separators in the wrong places
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",     // uppercase
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // version ff is invalid
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",     // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",     // all-zero span id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",     // not hex
        "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",    // trailing space
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",    // a later version needs '-' before more
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u{e9}",
    ])
    func hostileTraceparentsAreRejected(_ text: String) {
        #expect(SpanContext(traceparent: text) == nil)
    }

    @Test func aLaterVersionMayAppendFields() throws {
        let context = try #require(SpanContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"))
        #expect(context.traceparent == Self.valid, "we answer in the version we know")
    }

    @Test func aBadTracestateIsDroppedButTheParentKept() throws {
        let context = try #require(SpanContext(traceparent: Self.valid, traceState: "a=\u{1}"))
        #expect(context.traceState == nil)
        let long = try #require(SpanContext(traceparent: Self.valid, traceState: String(repeating: "a", count: 513)))
        #expect(long.traceState == nil)
    }

    @Test func randomIdsAreNeverZeroAndFormatAsLowercaseHex() {
        for _ in 0..<100 {
            let trace = TraceID.random()
            #expect(trace.high != 0 || trace.low != 0)
            #expect(trace.hex.count == 32 && trace.hex.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(SpanID.random().value != 0)
        }
    }
}
