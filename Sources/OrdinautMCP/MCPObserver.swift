/// How a tool call ended, as metrics label it.
public enum ToolCallOutcome: String, Sendable {
    /// A result without `isError`.
    case success
    /// A result with `isError` (including invalid arguments).
    case error
    /// A 2026-07-28 `input_required` result.
    case inputRequired = "input_required"
    /// A JSON-RPC error (including cancellation).
    case failed
}

/// Told about every request the engine answers and every tool call, for metrics. Calls happen on
/// the request's task, so an implementation must be quick and must not block.
public protocol MCPObserver: AccessObserver {
    func requestFinished(method: String, failed: Bool, duration: Duration)
    func toolCallFinished(tool: String, outcome: ToolCallOutcome, duration: Duration)
}

/// Told about access decisions, for metrics: refused credentials, missing scopes, rate limits. The
/// observers are classes: reading the configured one on every request is then a retain, not a copy of
/// an existential box.
public protocol AccessObserver: AnyObject, Sendable {
    /// A request or call was refused by a rate limit on `surface` (`http`, `tools`).
    func rateLimited(surface: String)
    /// A credential was refused (`reason`: `missing`, `invalid`, `unavailable`) or a scope was missing (`forbidden`).
    func accessDenied(reason: String)
}
