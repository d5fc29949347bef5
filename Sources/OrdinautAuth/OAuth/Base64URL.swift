/// Strict base64url (RFC 4648 §5) without padding, as JWS (RFC 7515 §2) and JWK (RFC 7518 §6) use it.
///
/// Strict means one spelling per byte string: no `=` padding, no whitespace, no characters of the
/// standard alphabet (`+`, `/`), no length that leaves 6 dangling bits, and the unused low bits of
/// the last character must be zero. A lenient decoder would let `sig` and a variant of `sig` with a
/// flipped padding bit both verify, which makes a signed token malleable.
enum Base64URL {
    /// The bytes `text` encodes, or `nil` if it is not canonical unpadded base64url.
    static func decode<Text: Collection<UInt8>>(_ text: Text) -> [UInt8]? {
        let remainder = text.count % 4
        if remainder == 1 { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text {
            guard let value = sextet(byte) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Whatever is left must be zero padding bits (2 after 2 characters, 4 after 3 characters).
        if accumulator != 0 { return nil }
        return output
    }

    /// The bytes `text` encodes, or `nil` if it is not canonical unpadded base64url.
    static func decode(_ text: Substring) -> [UInt8]? {
        decode(text.utf8)
    }

    @inline(__always) private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
