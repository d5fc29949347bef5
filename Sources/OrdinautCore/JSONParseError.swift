/// Why a byte sequence is not acceptable JSON, with the byte offset where the problem was found.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public enum Reason: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidNumber
        case invalidEscape
        case invalidUnicodeEscape
        case invalidUTF8
        case controlCharacterInString
        case trailingData
        case tooDeep(limit: Int)
        case duplicateKey(String)
    }

    /// The kind of problem.
    public let reason: Reason
    /// The byte offset at which it was detected.
    public let offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of JSON input at byte \(offset)"
        case .unexpectedByte(let byte):
            let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x\(String(byte, radix: 16))"
            return "unexpected \(shown) at byte \(offset)"
        case .invalidNumber: return "invalid number at byte \(offset)"
        case .invalidEscape: return "invalid escape sequence in string at byte \(offset)"
        case .invalidUnicodeEscape: return "invalid \\u escape in string at byte \(offset)"
        case .invalidUTF8: return "invalid UTF-8 in string at byte \(offset)"
        case .controlCharacterInString: return "unescaped control character in string at byte \(offset)"
        case .trailingData: return "unexpected data after the JSON value at byte \(offset)"
        case .tooDeep(let limit): return "JSON nested deeper than \(limit) levels at byte \(offset)"
        case .duplicateKey(let key): return "duplicate object key \"\(key)\" at byte \(offset)"
        }
    }
}
