import Logging
import ServiceLifecycle
import Synchronization

/// Collects finished spans and exports them in batches: when a batch is full or the schedule delay
/// has passed, each export bounded by the export timeout. A full queue drops spans (counted and
/// logged) instead of slowing the requests that make them. Graceful shutdown exports what is left.
public final class BatchSpanProcessor: Service, SpanSink {
    /// Sends one encoded export request; returns a description of the failure, or `nil` on success.
    public typealias Send = @Sendable (_ body: [UInt8], _ timeout: Duration) async -> String?

    private struct State {
        var queue: SpanQueue
        var waiter: CheckedContinuation<Void, Never>?
        /// A wake-up that came while nobody waited; the next wait returns at once.
        var pendingWake = false
        var stopping = false
    }

    public let limits: TracingConfiguration.BatchLimits
    private let encoder: OTLPJSON
    private let send: Send
    private let logger: Logger
    private let state: Mutex<State>
    private let exported = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let failedExports = Atomic<Int>(0)

    public init(limits: TracingConfiguration.BatchLimits, encoder: OTLPJSON, logger: Logger, send: @escaping Send) {
        self.limits = limits
        self.encoder = encoder
        self.send = send
        self.logger = logger
        state = Mutex(State(queue: SpanQueue(capacity: limits.maxQueueSize)))
    }

    /// Spans sent, spans dropped because the queue was full, and exports that failed, since the start.
    public var counts: (exported: Int, dropped: Int, failedExports: Int) {
        (exported.load(ordering: .relaxed), dropped.load(ordering: .relaxed), failedExports.load(ordering: .relaxed))
    }

    func finished(_ span: SpanRecord) {
        let wake = state.withLock { state -> Bool in
            state.queue.append(span)
            return state.queue.count == limits.maxExportBatchSize
        }
        if wake { self.wake() }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                while !self.state.withLock({ $0.stopping }) {
                    await self.waitForWork()
                    await self.exportQueued(all: false)
                }
            } onCancel: {
                self.stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        // What finished before the stop still goes out, each batch within the export timeout.
        await exportQueued(all: true)
    }

    private func stop() {
        state.withLock { $0.stopping = true }
        wake()
    }

    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pendingWake = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after the schedule delay, or sooner when a batch is full or the processor stops.
    private func waitForWork() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withCheckedContinuation { continuation in
                    let now = state.withLock { state -> Bool in
                        if state.pendingWake || state.stopping || state.queue.count >= limits.maxExportBatchSize {
                            state.pendingWake = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            group.addTask { [limits] in try? await Task.sleep(for: limits.scheduleDelay) }
            await group.next()
            group.cancelAll()
            wake()
        }
        state.withLock { $0.pendingWake = false }
    }

    private func exportQueued(all: Bool) async {
        repeat {
            let (batch, lost) = state.withLock { state in (state.queue.take(limits.maxExportBatchSize), state.queue.takeDropped()) }
            if lost > 0 {
                dropped.add(lost, ordering: .relaxed)
                logger.warning("""
                    dropped \(lost) finished spans: the export queue was full (OTEL_BSP_MAX_QUEUE_SIZE=\(limits.maxQueueSize)); \
                    raise it, sample less (OTEL_TRACES_SAMPLER_ARG), or check that the collector keeps up
                    """)
            }
            guard !batch.isEmpty else { return }
            if let failure = await send(encoder.encode(batch), limits.exportTimeout) {
                failedExports.add(1, ordering: .relaxed)
                logger.warning("could not export \(batch.count) spans: \(failure)")
            } else {
                exported.add(batch.count, ordering: .relaxed)
            }
        } while all || state.withLock({ $0.queue.count >= limits.maxExportBatchSize })
    }
}
