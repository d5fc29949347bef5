import Hummingbird
import OrdinautExtensionHost
import OrdinautExtensionKit
import OrdinautMCP
import OrdinautScheduler
import Prometheus
import Synchronization

/// Ordinaut's metrics, in a swift-prometheus registry of this engine's own (several engines — tests
/// — never share counters), rendered by the `observability` extension. Every family carries help
/// text, so `promtool check metrics` passes.
public final class OrdinautMetrics: MCPObserver, SchedulerObserver, MetricsExposition {
    public let registry = PrometheusCollectorRegistry()
    /// Extension counters are kept by the host; these are the values last reported, so that each
    /// scrape adds only the difference.
    private let reported = Mutex<[String: (requests: Int, errors: Int)]>([:])
    private let host = Mutex<ExtensionHost?>(nil)
    private let scrape = Mutex(())

    private static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private enum Family {
        static var mcpRequests: MetricNameDescriptor { descriptor("mcp_requests", "total", "MCP requests answered, by method and outcome.") }
        static var mcpDuration: MetricNameDescriptor { descriptor("mcp_request_duration", "seconds", "Time to answer MCP requests, by method.") }
        static var toolCalls: MetricNameDescriptor { descriptor("tool_calls", "total", "Tool calls, by tool and outcome (success, error, input_required, failed).") }
        static var toolDuration: MetricNameDescriptor { descriptor("tool_call_duration", "seconds", "Time tool calls took, by tool.") }
        static var httpRequests: MetricNameDescriptor { descriptor("http_requests", "total", "HTTP requests, by method, route pattern and status.") }
        static var httpDuration: MetricNameDescriptor { descriptor("http_request_duration", "seconds", "Time to answer HTTP requests, by method and route pattern.") }
        static var extensionState: MetricNameDescriptor { descriptor("extension_state", "", "1 for the state each extension is in, 0 for the others.") }
        static var extensionRequests: MetricNameDescriptor { descriptor("extension_requests", "total", "HTTP requests served by each extension's routes.") }
        static var rateLimited: MetricNameDescriptor { descriptor("rate_limited", "total", "Requests and tool calls refused by a rate limit, by surface (http, tools).") }
        static var accessDenied: MetricNameDescriptor { descriptor("access_denied", "total", "Requests refused by the access layer, by reason (missing, invalid, unavailable, forbidden).") }
        static var runsFinished: MetricNameDescriptor {
            descriptor("runs_finished", "total", "Runs this process executed that ended, by outcome (succeeded, retrying, dead, waiting).")
        }
        static var runDuration: MetricNameDescriptor { descriptor("run_duration", "seconds", "Time runs took from their start, by outcome.") }
        static var stepDuration: MetricNameDescriptor {
            descriptor("step_duration", "seconds", "Time pipeline steps took, by tool and outcome (succeeded, failed, skipped).")
        }
        static var triggersRefused: MetricNameDescriptor {
            descriptor("event_triggers_refused", "total", "Events that did not start a run of an event or condition task, by reason (depth, rate, condition).")
        }
        static var extensionErrors: MetricNameDescriptor { descriptor("extension_request_errors", "total", "Requests to each extension's routes that failed with a 5xx.") }

        static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "ordinaut", metricName: name, unitName: unit, helpText: help)
        }
    }

    public init() {}

    /// The host whose extensions' states and requests are reported.
    func observe(_ host: ExtensionHost) {
        self.host.withLock { $0 = host }
    }

    public func requestFinished(method: String, failed: Bool, duration: Duration) {
        registry.makeCounter(descriptor: Family.mcpRequests, labels: [("method", method), ("outcome", failed ? "error" : "ok")]).increment()
        registry.makeDurationHistogram(descriptor: Family.mcpDuration, labels: [("method", method)], buckets: Self.buckets).record(duration)
    }

    public func toolCallFinished(tool: String, outcome: ToolCallOutcome, duration: Duration) {
        registry.makeCounter(descriptor: Family.toolCalls, labels: [("tool", tool), ("outcome", outcome.rawValue)]).increment()
        registry.makeDurationHistogram(descriptor: Family.toolDuration, labels: [("tool", tool)], buckets: Self.buckets).record(duration)
    }

    public func rateLimited(surface: String) {
        registry.makeCounter(descriptor: Family.rateLimited, labels: [("surface", surface)]).increment()
    }

    public func accessDenied(reason: String) {
        registry.makeCounter(descriptor: Family.accessDenied, labels: [("reason", reason)]).increment()
    }

    /// Runs and steps take from milliseconds to hours.
    private static let runBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900), .seconds(3600),
    ]

    public func runFinished(outcome: String, duration: Duration) {
        registry.makeCounter(descriptor: Family.runsFinished, labels: [("outcome", outcome)]).increment()
        registry.makeDurationHistogram(descriptor: Family.runDuration, labels: [("outcome", outcome)], buckets: Self.runBuckets).record(duration)
    }

    public func stepFinished(tool: String, outcome: String, duration: Duration) {
        registry.makeDurationHistogram(descriptor: Family.stepDuration, labels: [("tool", tool), ("outcome", outcome)], buckets: Self.runBuckets)
            .record(duration)
    }

    public func triggerRefused(reason: String) {
        registry.makeCounter(descriptor: Family.triggersRefused, labels: [("reason", reason)]).increment()
    }

    func httpRequestFinished(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Family.httpRequests, labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Family.httpDuration, labels: [("method", method), ("route", route)], buckets: Self.buckets)
            .record(duration)
    }

    public func prometheusText() -> [UInt8] {
        if let host = host.withLock({ $0 }) { report(host) }
        // One scrape at a time: the CPU counter is reset and set again, never seen in between.
        return scrape.withLock { _ in
            if let process = ProcessStatistics.current() { report(process) }
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return buffer
        }
    }

    /// The standard process metrics of Prometheus clients, from `/proc/self`.
    private func report(_ process: ProcessStatistics) {
        let cpu = registry.makeCounter(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.")
        cpu.reset()
        cpu.increment(by: process.cpuSeconds)
        registry.makeGauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.").set(to: Double(process.residentBytes))
        registry.makeGauge(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.").set(to: Double(process.virtualBytes))
        registry.makeGauge(name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.").set(to: process.startTime)
        registry.makeGauge(name: "process_open_fds", help: "Number of open file descriptors.").set(to: Double(process.openDescriptors))
        registry.makeGauge(name: "process_max_fds", help: "Maximum number of open file descriptors.").set(to: Double(process.maximumDescriptors))
        registry.makeGauge(name: "process_threads", help: "Number of OS threads in the process.").set(to: Double(process.threads))
    }

    /// Brings the extension gauges and counters up to date.
    private func report(_ host: ExtensionHost) {
        let states = ["lazy", "activating", "active", "error", "stopped"]
        for (id, entry) in host.status()["extensions"]?.objectValue?.members ?? [] {
            let current = entry["state"]?.stringValue ?? ""
            for state in states {
                registry.makeGauge(descriptor: Family.extensionState, labels: [("extension", id), ("state", state)]).set(to: state == current ? 1.0 : 0.0)
            }
            let requests = Int(entry["metrics"]?["requests"]?.integerValue ?? 0)
            let errors = Int(entry["metrics"]?["errors"]?.integerValue ?? 0)
            let previous = reported.withLock { reported -> (requests: Int, errors: Int) in
                defer { reported[id] = (requests, errors) }
                return reported[id] ?? (0, 0)
            }
            registry.makeCounter(descriptor: Family.extensionRequests, labels: [("extension", id)]).increment(by: Int64(max(0, requests - previous.requests)))
            registry.makeCounter(descriptor: Family.extensionErrors, labels: [("extension", id)]).increment(by: Int64(max(0, errors - previous.errors)))
        }
    }
}

/// Counts every HTTP request by method, route and status, and times it by method and route. The
/// route is the matched pattern (`/mcp`, `/ext/{id}`), never the raw path, so labels stay few.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = ExtensionRequestContext
    let metrics: OrdinautMetrics

    func handle(_ request: Request, context: ExtensionRequestContext,
                next: (Request, ExtensionRequestContext) async throws -> Response) async throws -> Response {
        let began = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.httpRequestFinished(method: request.method.rawValue, route: route(request, context), status: response.status.code,
                                        duration: ContinuousClock.now - began)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.httpRequestFinished(method: request.method.rawValue, route: route(request, context), status: status,
                                        duration: ContinuousClock.now - began)
            throw error
        }
    }

    private func route(_ request: Request, _ context: ExtensionRequestContext) -> String {
        if let path = context.endpointPath { return path }
        let path = request.uri.path
        if path.hasPrefix("/ext/") {
            let id = path.dropFirst(5).prefix { $0 != "/" }
            return "/ext/\(id.prefix(48))"
        }
        return "unmatched"
    }
}
