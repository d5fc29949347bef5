/// Who is acting: decided once, at the edge, from a credential (or the configured local user), and
/// never from anything a client can simply assert (a body field, `clientInfo`, a header).
public struct Principal: Sendable, Hashable {
    /// How the principal was established.
    public enum Method: String, Sendable, Hashable {
        /// The configured local user of a stdio process.
        case local
        /// No credential: a loopback client while scopes are not required.
        case anonymous
        /// A token of the operator's tokens file (`ORDINAUT_TOKENS_FILE`).
        case tokensFile = "tokens_file"
        /// A token of a stored agent (`ordinaut token create`).
        case agentToken = "agent_token"
        /// An OAuth 2.1 access token (a JWT or an introspected opaque token).
        case oauth
        /// An authenticating reverse proxy that presented the proxy secret.
        case proxy
        /// The scopes a task's creator had, for a scheduled run of that task.
        case task
    }

    /// A stable identifier: `local`, `anonymous@127.0.0.1`, `token:ci`, `agent:<id>`, `oauth:<sub>`.
    public let subject: String
    /// A name for people: the audit actor and `created_by`.
    public let displayName: String
    public let scopes: ScopeSet
    public let method: Method

    public init(subject: String, displayName: String, scopes: ScopeSet, method: Method) {
        self.subject = subject
        self.displayName = displayName
        self.scopes = scopes
        self.method = method
    }

    /// Whether the principal holds `scope` (or `admin`, which holds every scope).
    public func holds(_ scope: String) -> Bool {
        scopes.contains(scope)
    }

    /// The local user with every scope: stdio by default, and in-process callers such as the CLI.
    public static let local = Principal(subject: "local", displayName: "local", scopes: .all, method: .local)

    /// A loopback client that presented no credential, while scopes are not required.
    public static func anonymous(address: String?) -> Principal {
        let name = address.map { "anonymous@\($0)" } ?? "anonymous"
        return Principal(subject: name, displayName: "anonymous", scopes: .all, method: .anonymous)
    }

    /// The principal a scheduled run acts as: the task's creator, with the scopes stored with the task.
    public static func taskCreator(_ name: String, scopes: ScopeSet) -> Principal {
        Principal(subject: "task-creator:" + name, displayName: name, scopes: scopes, method: .task)
    }
}

/// A request context that carries the principal the access layer authenticated, so that every route
/// behind it (MCP, REST, extension routes) acts as that principal and nobody else.
public protocol PrincipalCarrying {
    /// Who is asking; `nil` only on routes the policy leaves open to anyone.
    var principal: Principal? { get set }
    /// The peer's IP address, for the anonymous principal and per-address limits.
    var clientAddress: String? { get }
}
