import Hummingbird
import OrdinautEvents
import OrdinautExtensionHost
import OrdinautExtensionKit
import OrdinautMCP
import OrdinautScheduler
import OrdinautStore
import Synchronization

/// What the host's components report, turned into metrics. Values go to the engine's own
/// `HostMetrics` (several engines — tests — never share counters), whose registry the
/// `observability` extension installs; without it, nothing is kept.
public final class OrdinautMetrics: MCPObserver, SchedulerObserver, EventBusObserver {
    public let host: HostMetrics
    /// The scheduler's last word on workers and leadership, set at each scrape: they may be
    /// reported before the registry is installed, and change rarely.
    private let scheduler = Mutex<(busy: Int, capacity: Int, leader: (node: String, leading: Bool)?)>((0, 0, nil))

    public init(limits: HostMetrics.Limits = HostMetrics.Limits()) {
        host = HostMetrics(limits: limits)
        host.beforeScrape { metrics in
            metrics.set(Families.buildInfo, [("version", ordinautVersion), ("commit", BuildInfo.commit)], to: 1)
            if let process = ProcessStatistics.current() { Self.report(process, to: metrics) }
        }
        host.beforeScrape { [weak self] metrics in
            guard let state = self?.scheduler.withLock({ $0 }) else { return }
            metrics.set(Families.workersBusy, to: Double(state.busy))
            metrics.set(Families.workersCapacity, to: Double(state.capacity))
            if let leader = state.leader { metrics.set(Families.leader, [("node", leader.node)], to: leader.leading ? 1 : 0) }
        }
    }

    /// Reports the states, requests and restarts of `extensions` at each scrape.
    func observe(_ extensions: ExtensionHost) {
        host.beforeScrape { [weak extensions] metrics in
            if let extensions { Self.report(extensions, to: metrics) }
        }
    }

    /// Reports the events `bus`'s subscribers dropped at each scrape.
    func observe(_ bus: ObservedEventBus) {
        host.beforeScrape { [weak bus] metrics in
            if let bus { metrics.setTotal(Families.eventsDropped, to: Double(bus.dropped)) }
        }
    }

    // MCP and access

    public func requestFinished(method: String, failed: Bool, duration: Duration) {
        host.increment(Families.mcpRequests, [("method", method), ("outcome", failed ? "error" : "ok")])
        host.observe(Families.mcpDuration, [("method", method)], duration)
    }

    public func toolCallFinished(tool: String, outcome: ToolCallOutcome, duration: Duration) {
        host.increment(Families.toolCalls, [("tool", tool), ("outcome", outcome.rawValue)])
        host.observe(Families.toolDuration, [("tool", tool)], duration)
    }

    public func rateLimited(surface: String) {
        host.increment(Families.rateLimited, [("surface", surface)])
    }

    public func accessDenied(reason: String) {
        host.increment(Families.accessDenied, [("reason", reason)])
    }

    func httpRequestFinished(method: String, route: String, status: Int, duration: Duration) {
        host.increment(Families.httpRequests, [("method", method), ("route", route), ("status", String(status))])
        host.observe(Families.httpDuration, [("method", method), ("route", route)], duration)
    }

    // Scheduler

    public func runStarted(trigger: String, waited: Duration, takeover: Bool) {
        host.increment(Families.runsStarted, [("trigger", trigger)])
        host.observe(Families.queueLatency, [("trigger", trigger)], waited)
        if takeover { host.increment(Families.leaseTakeovers) }
    }

    public func runFinished(outcome: String, duration: Duration) {
        host.increment(Families.runsFinished, [("outcome", outcome)])
        host.observe(Families.runDuration, [("outcome", outcome)], duration)
        if outcome == "retrying" { host.increment(Families.retries) }
        if outcome == "dead" { host.increment(Families.deadLetters) }
    }

    public func taskStopped() {
        host.increment(Families.tasksStopped)
    }

    public func stepFinished(tool: String, outcome: String, duration: Duration) {
        host.observe(Families.stepDuration, [("tool", tool), ("outcome", outcome)], duration)
    }

    public func leaseRenewed(held: Bool) {
        host.increment(Families.leaseRenewals, [("outcome", held ? "renewed" : "lost")])
    }

    public func workersBusy(_ busy: Int, capacity: Int) {
        scheduler.withLock { $0.busy = busy; $0.capacity = capacity }
    }

    public func leadership(node: String, leading: Bool) {
        scheduler.withLock { $0.leader = (node, leading) }
    }

    public func triggerRefused(reason: String) {
        host.increment(Families.triggersRefused, [("reason", reason)])
    }

    /// What `MetricsSampler` read from the store.
    func report(_ gauges: SchedulerGauges) {
        for (status, count) in gauges.tasks { host.set(Families.tasks, [("status", status.rawValue)], to: Double(count)) }
        host.set(Families.dueBacklog, to: Double(gauges.backlog))
        host.set(Families.dueOldestAge, to: Double(gauges.oldestDueAge) / 1000)
        host.set(Families.approvalsWaiting, to: Double(gauges.approvalsWaiting))
        host.set(Families.workersAlive, to: Double(gauges.workersAlive))
    }

    func statementFinished(kind: String, duration: Duration) {
        host.observe(Families.statementDuration, [("kind", kind)], duration)
    }

    // Events

    public func eventPublished(source: String) {
        host.increment(Families.eventsPublished, [("source", source)])
    }

    public func eventDelivered(failed: Bool, lag: Duration) {
        host.increment(Families.eventsDelivered, [("outcome", failed ? "failed" : "ok")])
        host.observe(Families.eventLag, [], lag)
    }

    // Scrape-time reports

    /// The standard process metrics of Prometheus clients, from `/proc/self`.
    private static func report(_ process: ProcessStatistics, to metrics: HostMetrics) {
        metrics.setTotal(Families.processCPU, to: process.cpuSeconds)
        metrics.set(Families.processResident, to: Double(process.residentBytes))
        metrics.set(Families.processVirtual, to: Double(process.virtualBytes))
        metrics.set(Families.processStart, to: process.startTime)
        metrics.set(Families.processOpenFDs, to: Double(process.openDescriptors))
        metrics.set(Families.processMaxFDs, to: Double(process.maximumDescriptors))
        metrics.set(Families.processThreads, to: Double(process.threads))
    }

    /// Extension states, and the totals the host keeps of their requests and restarts.
    private static func report(_ extensions: ExtensionHost, to metrics: HostMetrics) {
        let states = ["lazy", "activating", "active", "error", "stopped"]
        for (id, entry) in extensions.status()["extensions"]?.objectValue?.members ?? [] {
            let current = entry["state"]?.stringValue ?? ""
            for state in states {
                metrics.set(Families.extensionState, [("extension", id), ("state", state)], to: state == current ? 1 : 0)
            }
            let label = [("extension", id)]
            metrics.setTotal(Families.extensionRequests, label, to: Double(entry["metrics"]?["requests"]?.integerValue ?? 0))
            metrics.setTotal(Families.extensionErrors, label, to: Double(entry["metrics"]?["errors"]?.integerValue ?? 0))
            if let restarts = entry["process"]?["restarts"]?.integerValue {
                metrics.setTotal(Families.extensionRestarts, label, to: Double(restarts))
            }
        }
    }
}

/// Counts every HTTP request by method, route and status, and times it by method and route. The
/// route is the matched pattern (`/mcp`, `/ext/{id}`), never the raw path, so labels stay few.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = ExtensionRequestContext
    let metrics: OrdinautMetrics

    func handle(_ request: Request, context: ExtensionRequestContext,
                next: @concurrent (Request, ExtensionRequestContext) async throws -> Response) async throws -> Response {
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
