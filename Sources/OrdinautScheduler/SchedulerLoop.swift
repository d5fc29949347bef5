import Foundation
import Logging
import OrdinautCore
import OrdinautEvents
import OrdinautStore
import ServiceLifecycle
import Synchronization

/// Produces due work. One process per database leads (a lease in `leader_leases`, taken over when
/// its holder stops renewing it); the leader fires every task whose time came, per the misfire
/// policy, and sleeps until the next fire time. Every scheduling process also listens for events
/// and starts the event and condition tasks they match.
public final class SchedulerLoop: Service, Sendable {
    static let leadership = "scheduler"

    let service: TaskService
    let logger: Logger
    private let stopping = Mutex(false)

    public init(service: TaskService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    private var configuration: SchedulerConfiguration { service.configuration }
    private var store: TaskStore { service.store }

    public func run() async throws {
        guard configuration.schedules else { return }
        var subscription: EventSubscription?
        if let bus = service.bus {
            do {
                subscription = try await bus.subscribe(
                    try TopicPattern("*"), subscriber: "ordinaut-scheduler", delivery: .group("ordinaut-scheduler")
                ) { [service] event in
                    try await service.trigger(event, actor: "event:\(event.id)")
                }
            } catch {
                logger.error("event and condition tasks will not fire: cannot subscribe to events: \(error)")
            }
        }
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            self.stopping.withLock { $0 = true }
            self.service.schedulerBell.ring()
        }
        subscription?.cancel()
        try? await store.leadership.resign(Self.leadership, holder: configuration.nodeID)
        service.observer?.leadership(node: configuration.nodeID, leading: false)
    }

    private func loop() async {
        let ttl = Int64(max(configuration.leaseSeconds, 10)) * 1000
        let poll = Int64(configuration.pollMilliseconds)
        let policy = configuration.misfirePolicy
        let grace = Int64(configuration.misfireGraceSeconds) * 1000
        let started = store.clock()
        let hostname = ProcessInfo.processInfo.hostName
        var lastChores: Int64 = 0
        var leading = false
        var failures = 0
        while !stopping.withLock({ $0 }) && !Task.isCancelled {
            var wait = ttl / 3
            do throws(StoreError) {
                let now = store.clock()
                if now - lastChores >= 10_000 {
                    try await store.leadership.heartbeat(worker: configuration.nodeID, hostname: hostname, startedAt: started)
                    if leading { try await store.queue.sweep() }
                    lastChores = now
                }
                let lead = try await store.leadership.lead(Self.leadership, holder: configuration.nodeID, ttl: ttl)
                service.observer?.leadership(node: configuration.nodeID, leading: lead)
                if lead != leading {
                    logger.info(lead ? "this node now produces scheduled work" : "another node produces scheduled work")
                    if leading { await service.alert(.leaderLost, ["node": .string(configuration.nodeID)]) }
                    leading = lead
                }
                if lead {
                    while try await store.queue.fireDueTasks(limit: 500, actor: configuration.nodeID, plan: { task, now in
                        guard let schedule = try? task.schedule() else {
                            return WorkQueue.Firing(fires: [], next: nil)
                        }
                        return schedule.firing(task: task, now: now, policy: policy, grace: grace)
                    }) == 500 {}
                    let now = store.clock()
                    wait = min(poll, ttl / 3)
                    if let next = try await store.queue.nextFireTime() { wait = max(1, min(wait, next - now)) }
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 { logger.warning("the scheduler cannot reach the store: \(error)") }
                wait = min(Int64(100 << min(failures, 6)), 5000)
            }
            await service.schedulerBell.wait(timeout: .milliseconds(wait))
        }
    }
}
