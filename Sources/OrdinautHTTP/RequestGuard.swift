import Foundation
import OrdinautHTTPCommon

/// Origin and Host checks for every MCP endpoint: the defence against cross-site requests from
/// browsers (403) and DNS rebinding (421).
struct RequestGuard: Sendable {
    private static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]
    private let allowedOrigins: Set<String>
    private let allowedHosts: Set<String>
    private let acceptsAnyHost: Bool

    init(configuration: MCPHTTPConfiguration) {
        allowedOrigins = Set(configuration.allowedOrigins.map { $0.lowercased() })
        allowedHosts = Set(configuration.allowedHosts.map { $0.lowercased() })
        // Bound to every interface with no host list, the server cannot know its public names.
        acceptsAnyHost = !Self.isLoopback(configuration.bindHost) && configuration.allowedHosts.isEmpty
    }

    static func isLoopback(_ host: String) -> Bool {
        loopbackNames.contains(HeaderText.lowercased(host)) || host.hasPrefix("127.")
    }

    /// The host part of `host[:port]` or `[v6]:port`.
    static func hostName(_ authority: String) -> String {
        let lowered = HeaderText.lowercased(authority)
        if lowered.hasPrefix("[") {
            if let close = lowered.firstIndex(of: "]") { return String(lowered[...close]) }
            return lowered
        }
        if let colon = lowered.lastIndex(of: ":") { return String(lowered[..<colon]) }
        return lowered
    }

    func isAllowed(host: String?) -> Bool {
        guard let host, !host.isEmpty else { return false }
        if acceptsAnyHost { return true }
        let name = Self.hostName(host)
        return Self.isLoopback(name) || allowedHosts.contains(name) || allowedHosts.contains(HeaderText.lowercased(host))
    }

    func isAllowed(origin: String?) -> Bool {
        guard let origin else { return true }
        let lowered = HeaderText.lowercased(origin)
        if allowedOrigins.contains(lowered) || allowedOrigins.contains("*") { return true }
        guard let schemeEnd = lowered.range(of: "://") else { return false }
        let authority = lowered[schemeEnd.upperBound...].split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return Self.isLoopback(Self.hostName(authority))
    }
}
