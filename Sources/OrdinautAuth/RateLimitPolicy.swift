/// Which limit applies: one for HTTP requests, one for tool calls, and overrides for tool calls by
/// tool name or by the tool's scope (`ORDINAUT_TOOL_RATE_LIMITS`). A `nil` limit means unlimited.
public struct RateLimitPolicy: Sendable {
    public var requests: TokenBucket.Limit?
    public var toolCalls: TokenBucket.Limit?
    /// Keyed by tool name (either spelling) or scope; a tool's name wins over its scope.
    public var toolOverrides: [String: TokenBucket.Limit]

    public init(requests: TokenBucket.Limit? = TokenBucket.Limit(rate: 100, burst: 200),
                toolCalls: TokenBucket.Limit? = TokenBucket.Limit(rate: 50, burst: 100),
                toolOverrides: [String: TokenBucket.Limit] = [:]) {
        self.requests = requests
        self.toolCalls = toolCalls
        self.toolOverrides = toolOverrides
    }

    /// No limits at all.
    public static let unlimited = RateLimitPolicy(requests: nil, toolCalls: nil)

    /// The limit and bucket name of a call of `tool` (registry or wire name) that needs `scope`.
    public func toolLimit(tool: String, wireName: String, scope: String) -> (bucket: String, limit: TokenBucket.Limit)? {
        for key in [tool, wireName, scope] {
            if let limit = toolOverrides[key] { return ("tool:" + key, limit) }
        }
        return toolCalls.map { ("tools", $0) }
    }
}
