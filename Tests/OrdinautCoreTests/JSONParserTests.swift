import OrdinautCore
import Testing

@Suite("JSON parsing")
struct JSONParserTests {
    let parser = JSONParser()

    @Test func keepsIntegerFloatDistinctionAndKeyOrder() throws {
        let value = try parser.parse(#"{"z":1,"a":1.0,"m":-0,"big":12345678901234567890,"e":1e2}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m", "big", "e"])
        guard case .integer(1) = value["z"]! else { Issue.record("z is not an integer"); return }
        guard case .number(1.0) = value["a"]! else { Issue.record("a is not a float"); return }
        guard case .number = value["big"]! else { Issue.record("an out-of-range integer must become a float"); return }
        guard case .number(100) = value["e"]! else { Issue.record("an exponent makes a float"); return }
        #expect(value.encodedString() == #"{"z":1,"a":1.0,"m":0,"big":1.2345678901234567e+19,"e":100.0}"#)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try parser.parse(#""a\"b\\c\/\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/\né😀"))
        #expect(try parser.parse(value.encodedString()) == value)
    }

    @Test("rejects malformed input with a reason", arguments: [
        ("", "end"), ("{", "end"), ("[1,]", "unexpected"), ("{\"a\" 1}", "unexpected"), ("01", "after"),
        ("1.", "number"), ("-", "number"), ("\"\\x\"", "escape"), ("\"\\ud800\"", "\\u"), ("\"a\u{1}\"", "control"),
        ("tru", "end"), ("nul", "end"), ("{\"a\":1,\"a\":2}", "duplicate"), ("1 2", "after"), ("NaN", "unexpected"),
    ])
    func rejects(_ text: String, _ fragment: String) {
        #expect(throws: JSONParseError.self) { try parser.parse(text) }
        do {
            _ = try parser.parse(text)
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError.self) { try parser.parse(bytes) }
        let overlong: [UInt8] = [0x22, 0xE0, 0x80, 0xAF, 0x22]
        #expect(throws: JSONParseError.self) { try parser.parse(overlong) }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONParseError.self) { try JSONParser(maximumDepth: 128).parse(deep) }
        #expect((try? JSONParser(maximumDepth: 300).parse(deep)) != nil)
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONParseError.self) { try parser.parse(hostile) }
    }

    @Test func equalityFollowsJSONSemantics() throws {
        #expect(try parser.parse(#"{"a":1,"b":[1.0]}"#) == parser.parse(#"{"b":[1],"a":1.0}"#))
        #expect(JSONValue.string("é") != JSONValue.string("e\u{301}"))
        #expect(JSONValue.string("tools/call") != JSONValue.string("tools/list"))
        #expect(JSONValue.string(String(repeating: "x", count: 40) + "é") == JSONValue.string(String(repeating: "x", count: 40) + "é"))
        #expect(Set<JSONValue>([1, 1.0, "1"]).count == 2)
    }

    @Test func escapesControlAndLineSeparatorsOnOutput() {
        let text = JSONValue.string("a\u{0}b\u{2028}c\td").encodedString()
        #expect(text == #""a\u0000b\u2028c\td""#)
        #expect(!text.contains("\n"))
    }

    @Test func jsonPointerRoundTrip() throws {
        let document = try parser.parse(#"{"a/b":{"~k":[10,20]}}"#)
        let pointer = try #require(JSONPointer("/a~1b/~0k/1"))
        #expect(pointer.resolve(in: document) == 20)
        #expect(pointer.description == "/a~1b/~0k/1")
        #expect(JSONPointer("/a~2") == nil)
        #expect(JSONPointer("/a~1b/~0k/01")!.resolve(in: document) == nil)
    }
}

@Suite("JSON parser under random input")
struct JSONParserPropertyTests {
    /// A deterministic generator so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomValue(_ rng: inout SplitMix, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 4 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .integer(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case 3: return .number(Double.random(in: -1e12...1e12, using: &rng))
        case 4:
            let scalars = (0..<Int.random(in: 0..<12, using: &rng)).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0..<0x3000, using: &rng)) }
            return .string(String(String.UnicodeScalarView(scalars)))
        case 5: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var object = JSONObject()
            for i in 0..<Int.random(in: 0..<20, using: &rng) { object["k\(i)\(Int.random(in: 0..<99, using: &rng))"] = randomValue(&rng, depth: depth + 1) }
            return .object(object)
        }
    }

    @Test func encodedValuesParseBackIdentically() throws {
        var rng = SplitMix(state: 42)
        for _ in 0..<2_000 {
            let value = Self.randomValue(&rng)
            let reparsed = try JSONParser().parse(value.encoded())
            #expect(reparsed == value)
            #expect(reparsed.encodedString() == value.encodedString())
        }
    }

    @Test func arbitraryBytesNeverCrash() {
        var rng = SplitMix(state: 7)
        let alphabet = Array(#"{}[]",:0123456789.eE+-tfalsenu\/"#.utf8) + [0x00, 0x80, 0xC3, 0xFF, 0x0A]
        var accepted = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            if (try? JSONParser().parse(bytes)) != nil { accepted += 1 }
        }
        #expect(accepted < 20_000)
    }
}
