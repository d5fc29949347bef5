import Logging
import OrdinautExtensionKit
import OrdinautStore
import ServiceLifecycle

/// Reads the gauges that need a query (tasks by status, due backlog, approvals waiting, workers
/// alive) every `interval`, so that a scrape never queries the database and the cost is a few
/// counting statements per interval whatever the scrape rate. Idle while no registry is installed.
struct MetricsSampler: Service {
    let store: TaskStore
    let metrics: OrdinautMetrics
    let interval: Duration
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown { await sample() }
    }

    private func sample() async {
        var failing = false
        while !Task.isCancelled {
            if metrics.host.isRecording {
                do throws(StoreError) {
                    metrics.report(try await store.gauges(aliveWithin: 30_000))
                    failing = false
                } catch {
                    if !failing { logger.warning("cannot read the scheduler gauges: \(error)") }
                    failing = true
                }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
