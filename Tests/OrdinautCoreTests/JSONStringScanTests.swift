@testable import OrdinautCore
import Testing

/// The word-at-a-time scans against a byte-at-a-time reading of the same rule, on every position of
/// every kind of byte, and the parser and encoder built on them.
@Suite("JSON string scanning")
struct JSONStringScanTests {
    /// Bytes with a meaning to the scans, and neighbours of their bit patterns that have none.
    static let interesting: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x2F, 0x5B, 0x5C, 0x5D, 0x7F, 0x80,
                                       0x9F, 0xA2, 0xC3, 0xDC, 0xE1, 0xE2, 0xE3, 0xF0, 0xFF]

    static func naiveStringEnd(_ bytes: [UInt8], from start: Int) -> (Int, Bool) {
        var index = start, sawNonASCII = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
            if byte >= 0x80 { sawNonASCII = true }
            index += 1
        }
        return (index, sawNonASCII)
    }

    static func naiveFirstToEscape(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 } ?? bytes.count
    }

    /// Every interesting byte at every position of filler of every length up to 24, read from every start.
    @Test func agreesWithByteAtATimeEverywhere() {
        var mismatches: [String] = []
        for length in 0...24 {
            for filler: UInt8 in [UInt8(ascii: "a"), 0xA9] {
                for special in Self.interesting {
                    for position in 0..<max(length, 1) {
                        var bytes = [UInt8](repeating: filler, count: length)
                        if position < length { bytes[position] = special }
                        bytes.withUnsafeBufferPointer { buffer in
                            for start in 0...length {
                                var sawNonASCII = false
                                let end = JSONStringScan.stringEnd(buffer, from: start, sawNonASCII: &sawNonASCII)
                                let expected = Self.naiveStringEnd(bytes, from: start)
                                if end != expected.0 || sawNonASCII != expected.1 { mismatches.append("stringEnd of \(bytes) from \(start)") }
                                if JSONStringScan.firstToEscape(buffer, from: start) != Self.naiveFirstToEscape(bytes, from: start) {
                                    mismatches.append("firstToEscape of \(bytes) from \(start)")
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.first ?? "")")
    }

    /// Random bytes, where borrows between neighbouring bytes of a word show up if the tricks were wrong.
    @Test func agreesWithByteAtATimeOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                Bool.random(using: &generator) ? Self.interesting.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let start = Int.random(in: 0...bytes.count, using: &generator)
            bytes.withUnsafeBufferPointer { buffer in
                var sawNonASCII = false
                let end = JSONStringScan.stringEnd(buffer, from: start, sawNonASCII: &sawNonASCII)
                let expected = Self.naiveStringEnd(bytes, from: start)
                #expect(end == expected.0 && sawNonASCII == expected.1, "stringEnd of \(bytes) from \(start)")
                #expect(JSONStringScan.firstToEscape(buffer, from: start) == Self.naiveFirstToEscape(bytes, from: start), "firstToEscape of \(bytes) from \(start)")
            }
        }
    }

    /// Strings with a character that must be escaped at each position survive encoding and parsing.
    @Test func stringsRoundTripWithSpecialsAtEveryPosition() throws {
        for special in ["\"", "\\", "\n", "\u{01}", "\u{1F}", "é", "\u{2028}", "\u{2029}", "😀", "\u{7F}"] {
            for length in 0...20 {
                for position in 0...length {
                    let text = String(repeating: "x", count: position) + special + String(repeating: "y", count: length - position)
                    let encoded = JSONValue.string(text).encodedString()
                    #expect(!encoded.contains("\u{2028}") && !encoded.contains("\u{2029}"), "raw line separator in \(encoded)")
                    #expect(try JSONParser().parse(encoded) == .string(text), "round trip of \(encoded)")
                }
            }
        }
    }

    /// What the parser refuses inside a string is found wherever it sits in a word.
    @Test func parserRejectsRawControlsAndInvalidUTF8AtEveryPosition() {
        for length in 1...20 {
            for position in 0..<length {
                var control = Array(repeating: UInt8(ascii: "a"), count: length)
                control[position] = 0x0A
                #expect(throws: JSONParseError.self) { try JSONParser().parse([0x22] + control + [0x22]) }
                var invalid = Array(repeating: UInt8(ascii: "a"), count: length)
                invalid[position] = 0xFF
                #expect(throws: JSONParseError.self) { try JSONParser().parse([0x22] + invalid + [0x22]) }
            }
        }
    }
}
