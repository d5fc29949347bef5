import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The host and port of a `Host` header or of an `Origin`, parsed, never prefix-matched: the one
/// place that decides what loopback is (an IP literal in 127.0.0.0/8, `::1`, or `localhost`).
public struct HostAuthority: Sendable, Equatable {
    /// Lowercased; an IPv6 literal without its brackets.
    public let host: String
    public let port: Int?

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        guard !text.isEmpty, text.utf8.count <= 260, !text.contains(where: { $0 == " " || $0 == "/" || $0 == "@" }) else { return nil }
        var hostPart: Substring
        var portPart: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portPart = rest.dropFirst()
            }
            guard Self.isIPv6(String(hostPart)) else { return nil }
        } else {
            if let colon = text.firstIndex(of: ":") {
                hostPart = text[..<colon]
                portPart = text[text.index(after: colon)...]
            } else {
                hostPart = text
            }
            guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
                return nil
            }
        }
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isASCII), let port = Int(portPart), (0...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = nil
        }
        host = hostPart.lowercased()
    }

    /// Whether the host is a loopback address or `localhost`.
    public var isLoopback: Bool { Self.isLoopback(host) }

    /// Whether `name` (without brackets or port) is `localhost`, an IPv4 literal in 127.0.0.0/8 or
    /// the IPv6 loopback (also as an IPv4-mapped 127.x address).
    public static func isLoopback(_ name: String) -> Bool {
        let name = name.lowercased()
        if name == "localhost" || name == "localhost." { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        let bare = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        return mapped && bytes[12] == 127
    }

    private static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}

/// A browser's `Origin`: scheme, host and port; `null` and anything malformed parse to `nil`.
public struct WebOrigin: Sendable, Equatable {
    public let scheme: String
    public let authority: HostAuthority

    public init?(_ text: String) {
        let lowered = text.lowercased()
        guard let range = lowered.range(of: "://") else { return nil }
        let scheme = String(lowered[..<range.lowerBound])
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = lowered[range.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let authority = HostAuthority(rest) else { return nil }
        self.scheme = scheme
        self.authority = authority
    }

    /// The port, the scheme's default when none is written.
    public var effectivePort: Int { authority.port ?? (scheme == "https" ? 443 : 80) }

    /// Whether this origin names the server that the request's `Host` addresses (same origin).
    public func isSameOrigin(asHost host: HostAuthority) -> Bool {
        guard host.host == authority.host else { return false }
        return (host.port ?? (scheme == "https" ? 443 : 80)) == effectivePort
    }
}
