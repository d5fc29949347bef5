/// An absolute `https` URL, or an `http` URL whose host is loopback, as OAuth endpoints must be
/// (OAuth 2.1 §1.5, RFC 8414 §2). Parsed into its parts: a check on a prefix of the text would take
/// `http://127.0.0.1.evil.example` or `http://127.0.0.1@evil.example` for loopback.
public struct OAuthURL: Sendable, Hashable, CustomStringConvertible {
    /// The URL as written.
    public let text: String
    /// `https` or `http`, lowercased.
    public let scheme: String
    /// The host, lowercased, without the brackets of an IPv6 literal.
    public let host: String
    /// The explicit port, if any.
    public let port: Int?
    /// The path: empty or starting with `/`.
    public let path: String
    /// The query, without `?`, if any.
    public let query: String?
    /// `scheme://authority` as written.
    public let origin: String

    /// Parses `text`; `setting` names where it came from (`ORDINAUT_OAUTH_ISSUER`, `jwks_uri of the
    /// metadata`) so that the problem says what to fix.
    public init(parsing text: String, setting: String) throws(OAuthURLProblem) {
        func problem(_ reason: String) -> OAuthURLProblem { OAuthURLProblem("\(setting)=\(text): \(reason)") }
        guard let schemeEnd = text.firstRange(of: "://") else { throw problem("not an absolute URL (expected https://host/...)") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { throw problem("the scheme must be https") }
        let rest = text[schemeEnd.upperBound...]
        guard !rest.contains("#") else { throw problem("a fragment (#...) is not allowed") }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else { throw problem("user information (user@host) is not allowed") }
        var hostPart = authority[...]
        var port: Int?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw problem("an IPv6 literal lacks its closing ]") }
            let after = hostPart[hostPart.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw problem("unexpected text after the IPv6 literal") }
                port = try Self.port(after.dropFirst(), problem)
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw problem("the IPv6 literal is not valid")
            }
        } else if let colon = hostPart.firstIndex(of: ":") {
            port = try Self.port(hostPart[hostPart.index(after: colon)...], problem)
            hostPart = hostPart[..<colon]
            guard Self.isRegularName(hostPart) else { throw problem("the host is not a valid name or IPv4 address") }
        } else {
            guard Self.isRegularName(hostPart) else { throw problem("the host is not a valid name or IPv4 address") }
        }
        let afterAuthority = rest[authorityEnd...]
        let path: Substring
        var query: String?
        if let mark = afterAuthority.firstIndex(of: "?") {
            path = afterAuthority[..<mark]
            query = String(afterAuthority[afterAuthority.index(after: mark)...])
        } else {
            path = afterAuthority
        }
        guard !path.contains(where: { $0 == " " || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else {
            throw problem("the path holds spaces or control characters")
        }
        self.text = text
        self.scheme = scheme
        self.host = hostPart.lowercased()
        self.port = port
        self.path = String(path)
        self.query = query
        self.origin = scheme + "://" + authority
        if scheme == "http" && !isLoopback {
            throw problem("plain http is allowed only for a loopback host (127.0.0.0/8, ::1, localhost); use https")
        }
    }

    /// Whether the host is `localhost`, an IPv4 address in 127.0.0.0/8, or `::1`.
    public var isLoopback: Bool { Self.isLoopbackHost(host) }

    public var description: String { text }

    /// Whether `host` (lowercased, IPv6 without brackets) is `localhost`, in 127.0.0.0/8, or `::1`.
    public static func isLoopbackHost(_ host: String) -> Bool {
        if host == "localhost" { return true }
        if let octets = ipv4Octets(host) { return octets[0] == 127 }
        if let groups = ipv6Groups(host) { return groups == [0, 0, 0, 0, 0, 0, 0, 1] }
        return false
    }

    /// The four octets of a dotted-decimal IPv4 address, strictly: four parts of 1–3 digits, each at
    /// most 255, no leading zeros (which some resolvers read as octal).
    static func ipv4Octets(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// The eight 16-bit groups of an IPv6 address in hex notation with at most one `::` (embedded
    /// IPv4 forms are not needed for a loopback check and are refused).
    static func ipv6Groups(_ text: String) -> [UInt16]? {
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        if let gap = text.firstRange(of: "::") {
            guard let head = groups(text[..<gap.lowerBound]), let tail = groups(text[gap.upperBound...]),
                  !text[gap.upperBound...].contains("::"), head.count + tail.count <= 7
            else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard let all = groups(text[...]), all.count == 8 else { return nil }
        return all
    }

    private static func isRegularName(_ host: Substring) -> Bool {
        !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" || $0 == "~") }
    }

    private static func port(_ text: Substring, _ problem: (String) -> OAuthURLProblem) throws(OAuthURLProblem) -> Int {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), (1...65535).contains(value) else {
            throw problem("the port must be a number from 1 to 65535")
        }
        return value
    }
}

/// A URL that cannot serve as an OAuth endpoint, naming the setting or document it came from.
public struct OAuthURLProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and where.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
