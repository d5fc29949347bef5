/// A strict RFC 8259 parser producing `JSONValue`.
///
/// Strings must be valid UTF-8, nesting is bounded (`maximumDepth`), and duplicate keys are rejected:
/// an object with two `"id"` members has no single meaning, and accepting the last one silently is how
/// request smuggling between a proxy and a server starts.
public struct JSONParser: Sendable {
    /// The nesting limit used when none is given.
    public static let defaultMaximumDepth = 128

    private let maximumDepth: Int

    /// A parser that rejects nesting deeper than `maximumDepth` arrays and objects.
    public init(maximumDepth: Int = JSONParser.defaultMaximumDepth) {
        self.maximumDepth = maximumDepth
    }

    /// Parses one JSON value that must span all of `bytes` (surrounding whitespace aside).
    public func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Self.run(buffer, maximumDepth)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { Self.run($0, maximumDepth) }.get()
    }

    /// Parses the UTF-8 of `text`.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { Self.run($0, maximumDepth) }
        return try result.get()
    }

    private static func run(_ buffer: UnsafeBufferPointer<UInt8>, _ depth: Int) -> Result<JSONValue, JSONParseError> {
        var reader = Reader(buffer: buffer, maximumDepth: depth)
        do throws(JSONParseError) {
            reader.skipWhitespace()
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            if reader.position != buffer.count { throw JSONParseError(.trailingData, at: reader.position) }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

private struct Reader {
    let buffer: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var position = 0
    var scratch: [UInt8] = []

    init(buffer: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.buffer = buffer
        self.maximumDepth = maximumDepth
    }

    @inline(__always) mutating func skipWhitespace() {
        while position < buffer.count {
            switch buffer[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    @inline(__always) func peek() throws(JSONParseError) -> UInt8 {
        guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
        return buffer[position]
    }

    mutating func expect(_ literal: StaticString, value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = literal.utf8CodeUnitCount
        guard position + count <= buffer.count else { throw JSONParseError(.unexpectedEnd, at: buffer.count) }
        let start = literal.utf8Start
        for i in 0..<count where buffer[position + i] != start[i] {
            throw JSONParseError(.unexpectedByte(buffer[position + i]), at: position + i)
        }
        position += count
        return value
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
        case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
        case UInt8(ascii: "n"): return try expect("null", value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONParseError(.unexpectedByte(byte), at: position)
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maximumDepth { throw JSONParseError(.tooDeep(limit: maximumDepth), at: position) }
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        // Most objects have a few members: one allocation instead of growing one by one.
        object.reserveCapacity(4)
        while true {
            skipWhitespace()
            let keyStart = position
            guard try peek() == UInt8(ascii: "\"") else { throw JSONParseError(.unexpectedByte(buffer[position]), at: position) }
            let key = try parseString()
            if object[key] != nil { throw JSONParseError(.duplicateKey(key), at: keyStart) }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw JSONParseError(.unexpectedByte(buffer[position]), at: position) }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            object.appendUnchecked(key, value)
            if object.count > JSONObject.indexThreshold && object.index == nil { object.rebuildIndex() }
            skipWhitespace()
            let next = try peek()
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "}") { return .object(object) }
            throw JSONParseError(.unexpectedByte(next), at: position - 1)
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maximumDepth { throw JSONParseError(.tooDeep(limit: maximumDepth), at: position) }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        elements.reserveCapacity(4)
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            let next = try peek()
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return .array(elements) }
            throw JSONParseError(.unexpectedByte(next), at: position - 1)
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var isFloat = false
        if buffer[position] == UInt8(ascii: "-") { position += 1 }
        guard position < buffer.count else { throw JSONParseError(.invalidNumber, at: start) }
        if buffer[position] == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(buffer[position]) {
            while position < buffer.count && isDigit(buffer[position]) { position += 1 }
        } else {
            throw JSONParseError(.invalidNumber, at: start)
        }
        if position < buffer.count && buffer[position] == UInt8(ascii: ".") {
            isFloat = true
            position += 1
            guard position < buffer.count, isDigit(buffer[position]) else { throw JSONParseError(.invalidNumber, at: start) }
            while position < buffer.count && isDigit(buffer[position]) { position += 1 }
        }
        if position < buffer.count && (buffer[position] | 0x20) == UInt8(ascii: "e") {
            isFloat = true
            position += 1
            if position < buffer.count && (buffer[position] == UInt8(ascii: "+") || buffer[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < buffer.count, isDigit(buffer[position]) else { throw JSONParseError(.invalidNumber, at: start) }
            while position < buffer.count && isDigit(buffer[position]) { position += 1 }
        }
        let digits = UnsafeBufferPointer(rebasing: buffer[start..<position])
        if !isFloat, digits.count <= (digits[0] == UInt8(ascii: "-") ? 20 : 19) {
            // Fast path: accumulate; fall back to Double only on overflow.
            var value: Int64 = 0
            let negative = digits[0] == UInt8(ascii: "-")
            var overflow = false
            for byte in digits.dropFirst(negative ? 1 : 0) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(byte &- 48)) : m.addingReportingOverflow(Int64(byte &- 48))
                if o1 || o2 { overflow = true; break }
                value = a
            }
            if !overflow { return .integer(value) }
        }
        let text = String(decoding: digits, as: UTF8.self)
        guard let double = Double(text), double.isFinite else { throw JSONParseError(.invalidNumber, at: start) }
        return .number(double)
    }

    @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes, ASCII or valid UTF-8 copied in one go.
        var sawNonASCII = false
        position = JSONStringScan.stringEnd(buffer, from: position, sawNonASCII: &sawNonASCII)
        guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
        if buffer[position] < 0x20 { throw JSONParseError(.controlCharacterInString, at: position) }
        let needsSlowPath = buffer[position] == UInt8(ascii: "\\")
        if !needsSlowPath {
            let slice = UnsafeBufferPointer(rebasing: buffer[start..<position])
            position += 1
            if !sawNonASCII { return String(decoding: slice, as: UTF8.self) }
            guard let string = String(validating: slice, as: UTF8.self) else { throw JSONParseError(.invalidUTF8, at: start) }
            return string
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<position]))
        while true {
            guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                break
            }
            if byte < 0x20 { throw JSONParseError(.controlCharacterInString, at: position) }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                position += 1
                continue
            }
            position += 1
            guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            let escape = buffer[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard position + 1 < buffer.count, buffer[position] == UInt8(ascii: "\\"), buffer[position + 1] == UInt8(ascii: "u") else {
                        throw JSONParseError(.invalidUnicodeEscape, at: position)
                    }
                    position += 2
                    let low = try readHex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw JSONParseError(.invalidUnicodeEscape, at: position) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw JSONParseError(.invalidUnicodeEscape, at: position)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw JSONParseError(.invalidUnicodeEscape, at: position) }
                scratch.append(contentsOf: UTF8.encode(unicode)!)
            default:
                throw JSONParseError(.invalidEscape, at: position - 1)
            }
        }
        guard let string = String(validating: scratch, as: UTF8.self) else { throw JSONParseError(.invalidUTF8, at: start) }
        return string
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= buffer.count else { throw JSONParseError(.unexpectedEnd, at: buffer.count) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = buffer[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default: throw JSONParseError(.invalidUnicodeEscape, at: position)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
