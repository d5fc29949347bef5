import OrdinautExtensionKit

/// The built-in `observability` extension: it owns the registry every metric of the host and of
/// the extensions is kept in, and serves it in the Prometheus text format at
/// `/ext/observability/metrics` (and, through the host, `/metrics`). Disabled, nothing is kept.
public struct ObservabilityExtension: Extension {
    public init() {}

    public let info = ExtensionInfo(
        id: "observability", name: "Observability", version: "1.1.0",
        description: "Prometheus metrics at /ext/observability/metrics and /metrics: the scheduler (tasks, backlog, runs, retries, dead letters, leases, leader, workers, approvals, store statements), HTTP and MCP requests, tool calls, events, webhooks, extensions (and their own ext_<id>_… metrics), the process.")

    public let requestedCapabilities: Set<Capability> = [.routes]

    public func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        let metrics = context.metrics
        try metrics.install(PrometheusRegistry())
        let routes = try context.routes()
        routes.get("/metrics") { _, _ in
            guard let text = metrics.exposition() else { return Response(status: .serviceUnavailable) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        return routes
    }
}
