/// Finds, eight bytes at a step, where the text of a JSON string stops being copied as it is: on the
/// way in at `"`, `\` or a control character, on the way out at a byte that may need escaping.
///
/// Every request and every answer is mostly string bytes (names, URIs, tool text), so the parser and
/// the encoder spend most of their time here. A byte at a time, that cost about ten instructions a
/// byte; a 64-bit word tests eight at once with the classic borrow tricks. A word's lowest flagged
/// byte is always a true match (a borrow only flags bytes above a true one), so the first match is exact.
package enum JSONStringScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let quotes: UInt64 = ones &* 0x22
    private static let backslashes: UInt64 = ones &* 0x5C
    private static let spaces: UInt64 = ones &* 0x20

    /// Bytes of `word` that are `"`, `\` or below 0x20, each marked by its high bit.
    @inline(__always) private static func stops(_ word: UInt64) -> UInt64 {
        let quote = word ^ quotes, backslash = word ^ backslashes
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- spaces) & ~word
        return (zeroQuote | zeroBackslash | control) & highBits
    }

    @inline(__always) private static func word(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
    }

    /// The index of the first `"`, `\` or control character at or after `start` (`bytes.count` if
    /// none); `sawNonASCII` becomes true if a byte of 0x80 or more lies before it.
    @inline(__always)
    package static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, sawNonASCII: inout Bool) -> Int {
        var index = start
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            let word = word(bytes, at: index)
            let found = stops(word)
            if found != 0 {
                let offset = found.trailingZeroBitCount >> 3
                high |= word & highBits & ((1 &<< UInt64(offset &* 8)) &- 1)
                if high != 0 { sawNonASCII = true }
                return index + offset
            }
            high |= word & highBits
            index += 8
        }
        if high != 0 { sawNonASCII = true }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { return index }
            if byte >= 0x80 { sawNonASCII = true }
            index += 1
        }
        return index
    }

    /// The index of the first byte at or after `start` that may need escaping in JSON output: `"`,
    /// `\`, a control character, or 0xE2 (the lead byte of U+2028 and U+2029, which JavaScript
    /// cannot take raw); `bytes.count` if none. Words holding other non-ASCII bytes are read a byte
    /// at a time.
    @inline(__always)
    package static func firstToEscape(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index + 8 <= bytes.count {
            let word = word(bytes, at: index)
            if stops(word) | (word & highBits) == 0 {
                index += 8
                continue
            }
            for offset in 0..<8 where mayEscape(bytes[index + offset]) { return index + offset }
            index += 8
        }
        while index < bytes.count && !mayEscape(bytes[index]) { index += 1 }
        return index
    }

    @inline(__always) private static func mayEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2
    }
}
