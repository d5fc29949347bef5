import OrdinautExtensionKit

/// The built-in `observability` extension: the host's metrics in the Prometheus text format at
/// `/ext/observability/metrics` (and, through the host, `/metrics`).
public struct ObservabilityExtension: Extension {
    public init() {}

    public let info = ExtensionInfo(
        id: "observability", name: "Observability", version: "1.0.0",
        description: "Prometheus metrics at /ext/observability/metrics and /metrics: HTTP requests and latencies by route, MCP requests by method, tool calls by tool and outcome, extension states and requests.")

    public let requestedCapabilities: Set<Capability> = [.routes]

    public func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        let routes = try context.routes()
        guard let metrics = try context.metricsExposition() else {
            routes.get("/metrics") { _, _ in Response(status: .serviceUnavailable) }
            return routes
        }
        routes.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.prometheusText())))
        }
        return routes
    }
}
