import Testing

@testable import OrdinautAuth

@Suite("Base64URL: one spelling per byte string")
struct Base64URLTests {
    @Test("decodes what an independent encoder wrote, at every length")
    func roundTrip() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64URL.decode(TestBase64URL.encode(bytes).utf8) == bytes)
        }
    }

    @Test("refuses padding, the standard alphabet, whitespace and a dangling character", arguments: [
        "YQ==", "YWI=", "a+b/", "YW Jj", "YWJjZ", "YW\nJj", "YWJj.",
    ])
    func refusesNonCanonicalText(_ text: String) {
        #expect(Base64URL.decode(text.utf8) == nil)
    }

    @Test("refuses non-zero padding bits, which would make a signature malleable")
    func refusesNonZeroTrailingBits() {
        #expect(Base64URL.decode("YQ".utf8) == [0x61])
        #expect(Base64URL.decode("YR".utf8) == nil)
        #expect(Base64URL.decode("YWI".utf8) == [0x61, 0x62])
        #expect(Base64URL.decode("YWJ".utf8) == nil)
    }
}
