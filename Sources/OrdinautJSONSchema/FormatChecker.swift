import OrdinautCore

/// Checks the `format` values defined by JSON Schema 2020-12 §7.3. Unknown formats pass, as the
/// specification requires; non-string instances pass every format.
struct FormatChecker: Sendable {
    func conforms(_ instance: JSONValue, to format: String) -> Bool {
        guard case .string(let text) = instance else { return true }
        switch format {
        case "date-time": return Self.isDateTime(text)
        case "date": return Self.isDate(text)
        case "time": return Self.isTime(text)
        case "duration": return Self.isDuration(text)
        case "email", "idn-email": return Self.isEmail(text)
        case "hostname", "idn-hostname": return Self.isHostname(text)
        case "ipv4": return Self.isIPv4(text)
        case "ipv6": return Self.isIPv6(text)
        case "uuid": return Self.isUUID(text)
        case "uri", "iri": return Self.isURI(text, requireScheme: true)
        case "uri-reference", "iri-reference": return Self.isURI(text, requireScheme: false)
        case "json-pointer": return JSONPointer(Substring(text)) != nil
        case "relative-json-pointer": return Self.isRelativePointer(text)
        case "regex": return PatternMatcher(text) != nil
        case "uri-template": return Self.isURITemplate(text)
        default: return true
        }
    }

    private static func digits(_ text: Substring, _ count: Int) -> Int? {
        guard text.count == count, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = digits(parts[0], 4), let month = digits(parts[1], 2),
              let day = digits(parts[2], 2), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    static func isTime(_ text: String) -> Bool {
        var body = Substring(text)
        var offsetMinutes = 0
        if body.last == "Z" || body.last == "z" {
            body = body.dropLast()
        } else if let sign = body.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = body[body.index(after: sign)...].split(separator: ":", omittingEmptySubsequences: false)
            guard offset.count == 2, let hours = digits(offset[0], 2), let minutes = digits(offset[1], 2),
                  hours < 24, minutes < 60 else { return false }
            offsetMinutes = (hours * 60 + minutes) * (body[sign] == "+" ? 1 : -1)
            body = body[..<sign]
        } else {
            return false
        }
        if let dot = body.firstIndex(of: ".") {
            let fraction = body[body.index(after: dot)...]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            body = body[..<dot]
        }
        let fields = body.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, let hour = digits(fields[0], 2), let minute = digits(fields[1], 2),
              let second = digits(fields[2], 2), hour < 24, minute < 60, second <= 60 else { return false }
        if second == 60 {
            // A leap second exists only at 23:59:60 UTC.
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func isDateTime(_ text: String) -> Bool {
        guard let separator = text.firstIndex(where: { $0 == "T" || $0 == "t" }) else { return false }
        return isDate(String(text[..<separator])) && isTime(String(text[text.index(after: separator)...]))
    }

    static func isDuration(_ text: String) -> Bool {
        var rest = Substring(text)
        guard rest.first == "P" else { return false }
        rest = rest.dropFirst()
        guard !rest.isEmpty else { return false }
        if rest.hasSuffix("W") {
            let number = rest.dropLast()
            return !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
        }
        var datePart = rest
        var timePart: Substring? = nil
        if let t = rest.firstIndex(of: "T") {
            datePart = rest[..<t]
            timePart = rest[rest.index(after: t)...]
            if timePart!.isEmpty { return false }
        }
        func check(_ part: Substring, units: [Character]) -> Bool {
            var remaining = units[...]
            var number = ""
            for character in part {
                if character.isASCII && character.isNumber {
                    number.append(character)
                    continue
                }
                guard !number.isEmpty, let position = remaining.firstIndex(of: character) else { return false }
                remaining = remaining[remaining.index(after: position)...]
                number = ""
            }
            return number.isEmpty
        }
        guard check(datePart, units: ["Y", "M", "D"]) else { return false }
        if let timePart { return check(timePart, units: ["H", "M", "S"]) }
        return true
    }

    static func isEmail(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at], domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return false }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return isIPv6(String(literal.dropFirst(5))) }
            return isIPv4(String(literal))
        }
        return isHostname(String(domain))
    }

    static func isHostname(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0 == "-" || $0.isLetter || $0.isNumber }
                && !(label.count >= 4 && label.dropFirst(2).hasPrefix("--") && !label.lowercased().hasPrefix("xn--"))
        }
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber }
                && (part.count == 1 || !part.hasPrefix("0")) && Int(part)! <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return false }
        var groups = text.components(separatedByString: ":")
        if let last = groups.last, last.contains(".") {
            // An embedded IPv4 address stands for the last two groups.
            guard isIPv4(last) else { return false }
            groups.removeLast()
            groups.append("0")
            groups.append("0")
        }
        let compressed = text.contains("::")
        if compressed && text.components(separatedByString: "::").count > 2 { return false }
        if text.hasPrefix(":") && !text.hasPrefix("::") { return false }
        if text.hasSuffix(":") && !text.hasSuffix("::") { return false }
        let nonEmpty = groups.filter { !$0.isEmpty }
        guard nonEmpty.allSatisfy({ $0.count <= 4 }) else { return false }
        return compressed ? nonEmpty.count < 8 : groups.count == 8 && nonEmpty.count == 8
    }

    static func isUUID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }

    static func isURI(_ text: String, requireScheme: Bool) -> Bool {
        let forbidden: Set<Character> = [" ", "<", ">", "\"", "{", "}", "|", "\\", "^", "`"]
        guard !text.contains(where: { forbidden.contains($0) || ($0.isASCII && $0.asciiValue! < 0x20) }) else { return false }
        let reference = URIReference(text)
        if requireScheme {
            guard let scheme = reference.scheme, !scheme.isEmpty else { return false }
        }
        if let authority = reference.authority, authority.contains("[") {
            guard let open = authority.firstIndex(of: "["), let close = authority.firstIndex(of: "]"), open < close else { return false }
        }
        return true
    }

    static func isRelativePointer(_ text: String) -> Bool {
        let digitsPrefix = text.prefix { $0.isASCII && $0.isNumber }
        guard !digitsPrefix.isEmpty, digitsPrefix == "0" || !digitsPrefix.hasPrefix("0") else { return false }
        let rest = text.dropFirst(digitsPrefix.count)
        return rest == "#" || JSONPointer(rest) != nil
    }

    static func isURITemplate(_ text: String) -> Bool {
        var open = false
        for character in text {
            if character == "{" { if open { return false }; open = true }
            if character == "}" { if !open { return false }; open = false }
        }
        return !open
    }
}

extension String {
    fileprivate func components(separatedByString separator: String) -> [String] {
        var result: [String] = []
        var current = ""
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(separator) {
                result.append(current)
                current = ""
                index = self.index(index, offsetBy: separator.count)
            } else {
                current.append(self[index])
                index = self.index(after: index)
            }
        }
        result.append(current)
        return result
    }
}
