import Testing
@testable import OrdinautTracing

@Suite struct SamplerTests {
    static let sampledParent = SpanContext(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), flags: 1)
    static let unsampledParent = SpanContext(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), flags: 0)

    @Test func theDefaultIsParentBasedAlwaysOn() throws {
        #expect(try Sampler.named(nil, argument: nil) == .parentBased(root: .alwaysOn))
    }

    @Test func everyStandardNameIsUnderstood() throws {
        #expect(try Sampler.named("always_on", argument: nil) == .alwaysOn)
        #expect(try Sampler.named("always_off", argument: nil) == .alwaysOff)
        #expect(try Sampler.named("traceidratio", argument: "0.25") == .traceIDRatio(0.25))
        #expect(try Sampler.named("parentbased_traceidratio", argument: "0.01") == .parentBased(root: .traceIDRatio(0.01)))
        #expect(try Sampler.named("parentbased_always_off", argument: nil) == .parentBased(root: .alwaysOff))
        #expect(try Sampler.named("traceidratio", argument: nil) == .traceIDRatio(1), "the specification's default ratio is 1")
    }

    @Test(arguments: [("traceidratio", "1.5"), ("traceidratio", "-0.1"), ("traceidratio", "half"), ("jaeger_remote", "")])
    func badSettingsAreErrorsThatNameTheVariable(_ name: String, _ argument: String) {
        #expect(throws: TracingConfigurationError.self) { try Sampler.named(name, argument: argument) }
    }

    @Test func parentBasedFollowsTheParentAndAsksTheRootSamplerOtherwise() {
        let sampler = Sampler.parentBased(root: .alwaysOff)
        let trace = TraceID.random()
        #expect(sampler.shouldSample(traceID: trace, parent: Self.sampledParent))
        #expect(!sampler.shouldSample(traceID: trace, parent: nil))
        #expect(!Sampler.parentBased(root: .alwaysOn).shouldSample(traceID: trace, parent: Self.unsampledParent))
        #expect(Sampler.parentBased(root: .alwaysOn).shouldSample(traceID: trace, parent: nil))
    }

    @Test func alwaysOnAndOffIgnoreTheParent() {
        #expect(Sampler.alwaysOn.shouldSample(traceID: .random(), parent: Self.unsampledParent))
        #expect(!Sampler.alwaysOff.shouldSample(traceID: .random(), parent: Self.sampledParent))
    }

    @Test func theRatioDecidesByTraceIDAndKeepsAboutThatShare() {
        let sampler = Sampler.traceIDRatio(0.1)
        #expect(sampler.shouldSample(traceID: TraceID(high: 9, low: 0), parent: nil))
        #expect(!sampler.shouldSample(traceID: TraceID(high: 9, low: 0x7fff_ffff_ffff_ffff), parent: nil))
        // A Weyl sequence (multiples of the golden ratio, mod 2^64) spreads ids evenly and the same on every run.
        var kept = 0
        for index in 0..<20_000 {
            if sampler.shouldSample(traceID: TraceID(high: 1, low: UInt64(index) &* 0x9e37_79b9_7f4a_7c15), parent: nil) { kept += 1 }
        }
        #expect((1_600...2_400).contains(kept), "kept \(kept) of 20000 at 10 %")
        let trace = TraceID.random()
        #expect(sampler.shouldSample(traceID: trace, parent: nil) == sampler.shouldSample(traceID: trace, parent: nil))
        #expect(!Sampler.traceIDRatio(0).shouldSample(traceID: trace, parent: nil))
        #expect(Sampler.traceIDRatio(1).shouldSample(traceID: trace, parent: nil))
    }
}
