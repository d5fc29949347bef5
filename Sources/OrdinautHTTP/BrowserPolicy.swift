import OrdinautCore

/// The defences against browsers: DNS rebinding (a Host this server does not answer to: 421),
/// cross-site requests (an Origin that is neither this server's own nor allowed: 403), and the
/// answers to CORS preflights for the allowed origins.
public struct BrowserPolicy: Sendable {
    private let allowedOrigins: Set<String>
    private let allowsAnyOrigin: Bool
    private let allowedHosts: Set<String>
    private let acceptsAnyHost: Bool
    /// The scheme clients reach this server with: `https` behind a TLS proxy (`ORDINAUT_PUBLIC_URL`).
    private let scheme: String
    private let hostDecisions = HostDecisions()

    public init(allowedOrigins: [String], allowedHosts: [String], bindHost: String, scheme: String = "http") {
        self.scheme = scheme
        let origins = allowedOrigins.map { origin -> String in
            var lowered = origin.lowercased()
            if lowered.hasSuffix("/") { lowered.removeLast() }
            return lowered
        }
        self.allowedOrigins = Set(origins)
        allowsAnyOrigin = origins.contains("*")
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        // Bound to every interface with no host list, the server cannot know its public names; the
        // credential requirement (refused start without one) is then the defence.
        acceptsAnyHost = !HostAuthority.isLoopback(bindHost) && allowedHosts.isEmpty
    }

    /// Whether the `Host` header names this server.
    public func allowsHost(_ header: String?) -> Bool {
        guard let header else { return false }
        return hostDecisions.decision(for: header) { header in
            guard let authority = HostAuthority(header) else { return false }
            if acceptsAnyHost || authority.isLoopback { return true }
            return allowedHosts.contains(authority.host) || allowedHosts.contains(header.lowercased())
        }
    }

    /// Whether a request carrying `origin` may proceed: no Origin (not a browser), this server's own
    /// origin, or one the operator allowed.
    public func allowsOrigin(_ origin: String?, host: String?) -> Bool {
        guard let origin else { return true }
        if isExplicitlyAllowed(origin) { return true }
        guard let parsed = WebOrigin(origin), parsed.scheme == scheme, let host, let authority = HostAuthority(host) else { return false }
        return parsed.isSameOrigin(asHost: authority)
    }

    /// Whether `origin` is in `ORDINAUT_ALLOWED_ORIGINS`: only those get CORS answers.
    public func isExplicitlyAllowed(_ origin: String) -> Bool {
        if allowsAnyOrigin { return origin != "null" }
        var lowered = origin.lowercased()
        if lowered.hasSuffix("/") { lowered.removeLast() }
        return allowedOrigins.contains(lowered)
    }

    /// Request headers a browser MCP client may send, and response headers it may read.
    public static let allowedRequestHeaders = "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID"
    public static let exposedResponseHeaders = "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy"
    public static let allowedMethods = "GET, POST, PATCH, DELETE, OPTIONS"
}

/// Media types, compared exactly (parameters allowed): `application/jsonx` is not JSON.
public enum MediaType {
    /// Byte by byte over the contiguous UTF-8 of the value, case-insensitively: this runs on every
    /// request, and the `Character` operations of `Substring` (grapheme breaking), or even the
    /// checked indices of `String.UTF8View`, cost more than the comparison itself.
    public static func isJSON(_ contentType: String) -> Bool {
        var contentType = contentType
        return contentType.withUTF8 { bytes in
            let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while start < end, bytes[start] == space || bytes[start] == tab { start += 1 }
            while start < end, bytes[end - 1] == space || bytes[end - 1] == tab { end -= 1 }
            let expected: StaticString = "application/json"
            guard end - start == expected.utf8CodeUnitCount else { return false }
            for offset in 0..<expected.utf8CodeUnitCount {
                guard bytes[start + offset].asciiLowercased == expected.utf8Start[offset] else { return false }
            }
            return true
        }
    }
}
