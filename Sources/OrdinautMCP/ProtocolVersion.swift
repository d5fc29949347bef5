/// The MCP revisions Ordinaut speaks, and the era each belongs to.
public enum ProtocolVersion {
    /// Revisions that open with `initialize` and keep a session.
    public static let sessionEra = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// Revisions that are stateless: every request carries its version and capabilities in `_meta`.
    public static let statelessEra = ["2026-07-28"]
    /// Every supported revision, newest first.
    public static let all = statelessEra + sessionEra
    /// The newest session-era revision, offered when a client asks for one we do not know.
    public static let latestSession = "2025-11-25"
    /// The current stateless revision.
    public static let latestStateless = "2026-07-28"
    /// What an HTTP request without `MCP-Protocol-Version` is assumed to speak (2025-06-18 transports rule).
    public static let assumedWhenAbsent = "2025-03-26"

    /// The `_meta` keys of the stateless era.
    public enum MetaKey {
        public static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
        public static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
        public static let clientInfo = "io.modelcontextprotocol/clientInfo"
        public static let logLevel = "io.modelcontextprotocol/logLevel"
        public static let serverInfo = "io.modelcontextprotocol/serverInfo"
        public static let subscriptionID = "io.modelcontextprotocol/subscriptionId"
        public static let relatedTask = "io.modelcontextprotocol/related-task"
    }
}

/// How one request is being served.
public enum ProtocolEra: Sendable, Equatable {
    /// Inside an `initialize`d session that negotiated this revision.
    case session(version: String)
    /// A self-describing 2026-07-28 request.
    case stateless(version: String)

    public var version: String {
        switch self {
        case .session(let version), .stateless(let version): return version
        }
    }

    public var isStateless: Bool {
        if case .stateless = self { return true }
        return false
    }
}

extension ProtocolEra {
    /// The era without its revision.
    public enum Kind: Sendable, Hashable {
        case session, stateless

        /// Both eras, made once (a method handler's default).
        static let both: Set<Kind> = [.session, .stateless]
    }

    public var kind: Kind { isStateless ? .stateless : .session }
}
