import OrdinautCore

/// What may go into an outgoing request header, decided on bytes (RFC 9110 §5.1 and §5.5).
enum HeaderBytes {
    /// A header name: one or more `tchar`.
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// A header value: visible characters, spaces and tabs, and any non-ASCII byte; never CR, LF,
    /// NUL or another control character.
    static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { byte in byte == 0x09 || (byte >= 0x20 && byte != 0x7f) }
    }

    /// Whether two header names are the same name: ASCII letters compared without case, as header
    /// names are tokens (Foundation's case-insensitive search cost a webhook call about 2 % of its CPU time).
    static func sameName(_ one: String, _ other: String) -> Bool {
        one.utf8.count == other.utf8.count && zip(one.utf8, other.utf8).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }

    /// Whether a media type names JSON (`application/json`, `application/problem+json`, any case).
    static func isJSONMediaType(_ type: String) -> Bool {
        let bytes = Array(type.utf8.map(\.asciiLowercased))
        let json = Array("json".utf8)
        guard bytes.count >= json.count else { return false }
        return (0...(bytes.count - json.count)).contains { start in bytes[start..<(start + json.count)].elementsEqual(json) }
    }
}
