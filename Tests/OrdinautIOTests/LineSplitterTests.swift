import OrdinautIO
import Testing

@Suite("Splitting input into lines")
struct LineSplitterTests {
    private func lines(_ chunks: [String], limit: Int = 100) -> [LineSplitter.Line] {
        var splitter = LineSplitter(maximumLineLength: limit)
        var out: [LineSplitter.Line] = []
        for chunk in chunks {
            Array(chunk.utf8).withUnsafeBytes { splitter.append($0) }
            while let line = splitter.next() { out.append(line) }
            #expect(splitter.isDrained)
        }
        if let last = splitter.finish() { out.append(last) }
        return out
    }

    private func message(_ text: String) -> LineSplitter.Line { .message(Array(text.utf8)) }

    @Test func linesMayArriveInAnyPieces() {
        #expect(lines(["a\nb", "c\r\n", "\n", " \t\n", "d"]) == [message("a"), message("bc"), message("d")])
        #expect(lines(["ab", "c", "d\ne\n"]) == [message("abcd"), message("e")])
    }

    @Test func aLinePastTheLimitIsReportedByLengthNotKept() {
        let long = String(repeating: "x", count: 12)
        // Whole in one chunk, spread over chunks, and unterminated at the end of input.
        #expect(lines([long + "\nok\n"], limit: 10) == [.tooLong(12), message("ok")])
        #expect(lines(["xxxxxxxx", "xxxxxxxx", "xxxxxxxx\nok\n"], limit: 10) == [.tooLong(24), message("ok")])
        #expect(lines(["ok\n", long], limit: 10) == [message("ok"), .tooLong(12)])
        #expect(lines([String(repeating: "y", count: 10) + "\n"], limit: 10) == [message(String(repeating: "y", count: 10))])
    }

    @Test func linesAreTakenOneAtATimeSoTheRestOfAChunkCanWait() {
        var splitter = LineSplitter(maximumLineLength: 100)
        Array("one\ntwo\nthr".utf8).withUnsafeBytes { splitter.append($0) }
        #expect(splitter.next() == message("one"))
        #expect(!splitter.isDrained, "the rest of the chunk waits for the next call")
        #expect(splitter.next() == message("two"))
        #expect(splitter.next() == nil)
        #expect(splitter.isDrained)
        Array("ee\n".utf8).withUnsafeBytes { splitter.append($0) }
        #expect(splitter.next() == message("three"))
        #expect(splitter.finish() == nil)
    }
}
