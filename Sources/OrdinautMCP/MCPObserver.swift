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
public protocol MCPObserver: Sendable {
    func requestFinished(method: String, failed: Bool, duration: Duration)
    func toolCallFinished(tool: String, outcome: ToolCallOutcome, duration: Duration)
}
