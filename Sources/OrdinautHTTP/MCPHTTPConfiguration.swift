/// Limits and policies of the MCP HTTP endpoints.
public struct MCPHTTPConfiguration: Sendable {
    public var maxBodyBytes: Int
    public var allowedOrigins: [String]
    public var allowedHosts: [String]
    /// The interface the server binds; a loopback bind accepts only loopback Host names.
    public var bindHost: String
    public var maxSessions: Int
    /// Most sessions one principal may hold (anonymous clients count per address).
    public var maxSessionsPerPrincipal: Int
    public var sessionIdleSeconds: Int
    public var replayBufferSize: Int
    /// Bytes of server-stream messages kept per session for replay.
    public var replayBufferBytes = 4 << 20
    /// Seconds between SSE keep-alive comments, which also reveal a client that has gone.
    public var keepAliveSeconds: Int

    public init(maxBodyBytes: Int = 4 * 1024 * 1024, allowedOrigins: [String] = [], allowedHosts: [String] = [],
                bindHost: String = "127.0.0.1", maxSessions: Int = 1000, maxSessionsPerPrincipal: Int = 100, sessionIdleSeconds: Int = 1800,
                replayBufferSize: Int = 256, keepAliveSeconds: Int = 15) {
        self.maxBodyBytes = maxBodyBytes
        self.allowedOrigins = allowedOrigins
        self.allowedHosts = allowedHosts
        self.bindHost = bindHost
        self.maxSessions = maxSessions
        self.maxSessionsPerPrincipal = maxSessionsPerPrincipal
        self.sessionIdleSeconds = sessionIdleSeconds
        self.replayBufferSize = replayBufferSize
        self.keepAliveSeconds = keepAliveSeconds
    }
}
