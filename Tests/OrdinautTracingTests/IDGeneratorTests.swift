import Testing
@testable import OrdinautTracing

@Suite struct IDGeneratorTests {
    @Test func itIsXoshiro256StarStar() {
        // The reference implementation's first outputs from the state (1, 2, 3, 4).
        var state: IDGenerator.State = (1, 2, 3, 4)
        #expect([IDGenerator.step(&state), IDGenerator.step(&state), IDGenerator.step(&state), IDGenerator.step(&state)]
                == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func idsAreNeverZeroAndDoNotRepeat() {
        let traces = (0..<10_000).map { _ in TraceID.random() }
        let spans = (0..<10_000).map { _ in SpanID.random() }
        #expect(!traces.contains { $0.high == 0 && $0.low == 0 } && !spans.contains { $0.value == 0 })
        #expect(Set(traces).count == traces.count && Set(spans).count == spans.count)
    }
}
