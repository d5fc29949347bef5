import Logging
import OrdinautCore
import OrdinautEvents
import OrdinautMCP
import OrdinautStore
import OrdinautTracing
import ServiceLifecycle
import Synchronization

/// Claims due work and runs it, `workers` runs at a time. Leases are renewed while runs last; a run
/// whose lease was lost is abandoned to its new holder. Failures become retries (new due work at a
/// later time, never a sleep holding a lease) or dead letters. On shutdown, claiming stops, running
/// work gets a grace period, and what is still running is handed back.
public final class WorkerPool: Service, Sendable {
    let service: TaskService
    let executor: PipelineExecutor
    let logger: Logger
    private let deadlines = Deadlines()
    private let slotFreed = Doorbell()
    private let running = Mutex(RunningWork<ClaimedWork>())
    private let stopping = Mutex(false)
    private var configuration: SchedulerConfiguration { service.configuration }
    private var store: TaskStore { service.store }

    public init(service: TaskService, logger: Logger) {
        self.service = service
        self.logger = logger
        executor = PipelineExecutor(tools: ToolCaller(server: service.server, clientName: "ordinaut-scheduler"), deadlines: deadlines,
                                    limits: service.configuration.limits, observer: service.observer, changes: service.changes,
                                    clock: service.store.clock)
    }

    /// Claiming, lease renewal and the recording of endings run on the database's own threads where
    /// it has them (`SQLDatabase.executor`): they do little but transactions, which then cost no
    /// thread hop. The pipelines themselves run on the concurrency pool (`Task` does not inherit the
    /// preference).
    public func run() async throws {
        guard configuration.workers > 0 else { return }
        reportBusy(0)
        await withTaskExecutorPreference(store.database.executor) {
            await serve()
        }
    }

    private func serve() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.deadlines.run() }
                group.addTask { await self.keepLeases() }
                await claimLoop(group: &group)
                await drain()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.withLock { $0 = true }
            self.store.doorbell.ring()
            self.slotFreed.ring()
        }
    }

    private var isStopping: Bool { stopping.withLock { $0 } || Task.isCancelled }

    private func claimLoop(group: inout DiscardingTaskGroup) async {
        let poll = Duration.milliseconds(configuration.pollMilliseconds)
        var failures = 0
        while !isStopping {
            let free = configuration.workers - running.withLock { $0.count }
            if free <= 0 {
                await slotFreed.wait(timeout: poll)
                continue
            }
            let claimed: [ClaimedWork]
            do throws(StoreError) {
                claimed = try await store.queue.claim(worker: configuration.nodeID, limit: min(free, configuration.claimBatch),
                                                      lease: Int64(configuration.leaseSeconds) * 1000)
                if failures > 0 { logger.info("the store answers again; claiming work") }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 { logger.warning("cannot claim work: \(error)") }
                await slotFreed.wait(timeout: .milliseconds(min(100 << min(failures, 6), 5000)))
                continue
            }
            let now = store.clock()
            for work in claimed {
                service.observer?.runStarted(trigger: work.run.trigger.rawValue, waited: .milliseconds(max(0, now - work.dueAt)),
                                             takeover: work.takenOver)
                service.changes.publish("run.started", TaskService.change(work.run))
                let execution = Task { await self.execute(work) }
                reportBusy(running.withLock { $0.claimed(work, token: work.lease) { execution.cancel() }; return $0.count })
                group.addTask {
                    let result = await execution.value
                    await self.conclude(work, result)
                    self.reportBusy(self.running.withLock { $0.ended(work.lease); return $0.count })
                    self.slotFreed.ring()
                }
            }
            if claimed.isEmpty { await store.doorbell.wait(timeout: poll) }
        }
    }

    private func reportBusy(_ busy: Int) {
        service.observer?.workersBusy(busy, capacity: configuration.workers)
    }

    /// Runs the pipeline. With tracing on, the run is the root of a trace of its own, linked to the
    /// span the task was created in, and its log lines carry that trace.
    private func execute(_ work: ClaimedWork) async -> PipelineExecutor.Result {
        await Spans.run("ordinaut.run", parent: Spans.newTrace) { span in
            if let span { RunSpans.start(span, task: work.task, run: work.run) }
            logger.debug("run started", metadata: ["task_id": .string(work.task.id), "run_id": .string(work.run.id)])
            let result = await executor.execute(task: work.task, run: work.run, resume: work.resume)
            if let span { RunSpans.finish(span, result) }
            logger.debug("run ended", metadata: ["run_id": .string(work.run.id), "outcome": .string(RunSpans.outcome(result))])
            return result
        }
    }

    /// Waits up to the shutdown grace for running work, then hands back what still runs.
    private func drain() async {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while running.withLock({ !$0.isEmpty }) && ContinuousClock.now < deadline {
            await slotFreed.wait(timeout: .milliseconds(100))
        }
        let cancels = running.withLock { $0.releaseAll() }
        if !cancels.isEmpty { logger.notice("stopping: handing back \(cancels.count) running run(s)") }
        for cancel in cancels { cancel() }
        while running.withLock({ !$0.isEmpty }) { await slotFreed.wait(timeout: .milliseconds(100)) }
    }

    /// Renews every held lease each third of the lease; cancels runs whose lease was lost.
    private func keepLeases() async {
        let lease = Int64(configuration.leaseSeconds) * 1000
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(lease / 3))
            for (token, work) in running.withLock({ $0.toRenew }) {
                do throws(StoreError) {
                    if try await store.queue.renew(work, lease: lease) {
                        service.observer?.leaseRenewed(held: true)
                        continue
                    }
                    // No lease: another claim holds it, or the run was recorded while this renewal waited.
                    let (failure, cancel) = running.withLock { $0.renewalFailed(token) }
                    guard failure == .lost else { continue }
                    service.observer?.leaseRenewed(held: false)
                    logger.warning("lost the lease on run \(work.run.id); another worker finishes it")
                    cancel?()
                } catch {
                    logger.warning("cannot renew the lease on run \(work.run.id): \(error)")
                }
            }
        }
    }

    private func conclude(_ work: ClaimedWork, _ result: PipelineExecutor.Result) async {
        switch running.withLock({ $0.ending(work.lease) }) {
        case .abandon: return
        case .record: break
        case .release:
            do throws(StoreError) {
                try await store.queue.release(work)
            } catch {
                logger.warning("cannot hand back run \(work.run.id); it is taken over when its lease expires: \(error)")
            }
            return
        }
        let outcome: WorkQueue.Outcome
        let output: JSONValue
        let label: String
        switch result {
        case .succeeded(let value):
            outcome = .succeeded
            output = value
            label = "succeeded"
        case .failed(let error, let value, let permanent):
            output = value
            let retryAt = permanent || work.run.attempt > work.task.maxRetries ? nil
                : store.clock() + configuration.retryDelay(attempt: work.run.attempt, strategy: work.task.backoffStrategy)
            outcome = .failed(error: error, retryAt: retryAt)
            label = retryAt == nil ? "dead" : "retrying"
        case .waiting(let step, let prompt, let value):
            output = value
            outcome = .waiting(WorkQueue.ApprovalRequest(stepId: step, prompt: prompt))
            label = "waiting"
        }
        // The outcome must be recorded: a store that is briefly down is retried while the lease is kept.
        var failures = 0
        var finished: WorkQueue.Finished?
        while finished == nil {
            do throws(StoreError) {
                finished = try await store.queue.finish(work, outcome: outcome, output: output,
                                                        failureLimit: configuration.taskFailureLimit)
            } catch where error.kind == .conflict {
                logger.warning("run \(work.run.id): \(error)")
                return
            } catch {
                failures += 1
                if failures == 1 { logger.warning("cannot record the end of run \(work.run.id), retrying: \(error)") }
                if failures > 600 { return }
                try? await Task.sleep(for: .milliseconds(min(100 << min(failures, 5), 2000)))
            }
        }
        service.observer?.runFinished(outcome: label, duration: .milliseconds(store.clock() - (work.run.startedAt ?? store.clock())))
        if case .failed(let error, nil) = outcome {
            await service.alertDead(work, error: error)
            if let stop = finished?.stop { await service.taskStopped(work, stop, error: error) }
        }
        service.server.resourceUpdated(TaskService.runURI(work.run.id))
        service.server.resourceUpdated(TaskService.taskURI(work.task.id))
        for id in finished?.mcpTaskIDs ?? [] { service.server.taskUpdated(id) }
        service.runFinished(work.run.id)
        var change = TaskService.change(work.run)
        change["status"] = .string(label == "retrying" ? RunStatus.failed.rawValue : label)
        if case .waiting(let request) = outcome { change["step_id"] = .string(request.stepId) }
        service.changes.publish(label == "waiting" ? "approval.waiting" : "run.finished", change)
    }
}
