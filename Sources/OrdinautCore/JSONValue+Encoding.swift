extension JSONValue {
    /// Appends the compact JSON text of this value to `output`.
    ///
    /// Non-finite floats, which JSON cannot express, are written as `null`. Strings escape only what
    /// RFC 8259 requires plus U+2028/U+2029, so that output is also safe inside a line-delimited stream.
    public func encode(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: Self.nullBytes)
        case .bool(let value): output.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        case .integer(let value): Self.appendInteger(value, to: &output)
        case .number(let value):
            if value.isFinite {
                if value.rounded() == value, abs(value) < 1e15 {
                    Self.appendInteger(Int64(value), to: &output)
                    output.append(contentsOf: Self.pointZero)
                } else {
                    output.append(contentsOf: value.description.utf8)
                }
            } else {
                output.append(contentsOf: Self.nullBytes)
            }
        case .string(let value): Self.appendString(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                element.encode(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                Self.appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                value.encode(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The compact JSON text as bytes.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        encode(into: &output)
        return output
    }

    /// The compact JSON text as a string.
    public func encodedString() -> String {
        String(decoding: encoded(), as: UTF8.self)
    }

    private static let nullBytes: [UInt8] = Array("null".utf8)
    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let pointZero: [UInt8] = Array(".0".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        if value == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while magnitude > 0 {
                raw[count] = UInt8(magnitude % 10) + 48
                magnitude /= 10
                count += 1
            }
            if value < 0 { output.append(UInt8(ascii: "-")) }
            for i in stride(from: count - 1, through: 0, by: -1) { output.append(raw[i]) }
        }
    }

    private static func appendString(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var runStart = 0
            var i = 0
            while i < bytes.count {
                // Most strings need no escaping: skip ahead to the next byte that may.
                i = JSONStringScan.firstToEscape(bytes, from: i)
                guard i < bytes.count else { break }
                let byte = bytes[i]
                let escape: UInt8
                switch byte {
                case 0x22: escape = UInt8(ascii: "\"")
                case 0x5C: escape = UInt8(ascii: "\\")
                case 0x0A: escape = UInt8(ascii: "n")
                case 0x0D: escape = UInt8(ascii: "r")
                case 0x09: escape = UInt8(ascii: "t")
                case 0x08: escape = UInt8(ascii: "b")
                case 0x0C: escape = UInt8(ascii: "f")
                case 0xE2:
                    guard i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) else {
                        i += 1
                        continue
                    }
                    escape = 1
                default: escape = 0
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                if escape == 0 {
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
                    i += 1
                } else if escape == 1 {
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "2"), UInt8(ascii: "0"), UInt8(ascii: "2"),
                                               bytes[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9")])
                    i += 3
                } else {
                    output.append(0x5C)
                    output.append(escape)
                    i += 1
                }
                runStart = i
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }
}
