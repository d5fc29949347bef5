import Dispatch
import Foundation
import Logging
import OrdinautCore
import OrdinautEvents
import Synchronization


/// Runs commands for publish and read on one connection, on one thread, batching whatever is
/// queued into a single pipeline.
final class CommandExecutor: Sendable {
    private struct Job {
        let commands: [RESPCommand]
        let done: @Sendable (Result<[RedisValue], RedisError>) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var running = true
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)

    init(configuration: RedisEventBus.Configuration, logger: Logger, connection: RedisConnection) {
        let box = ConnectionBox(connection)
        let thread = Thread { [self] in loop(configuration, logger, box) }
        thread.name = "ordinaut-redis"
        thread.start()
    }

    func stop() {
        queue.withLock { $0.running = false }
        wake.signal()
    }

    func run(_ commands: [RESPCommand]) async -> Result<[RedisValue], RedisError> {
        await withCheckedContinuation { continuation in
            let accepted = queue.withLock { queue -> Bool in
                guard queue.running else { return false }
                queue.jobs.append(Job(commands: commands) { continuation.resume(returning: $0) })
                return true
            }
            if accepted { wake.signal() } else { continuation.resume(returning: .failure(.connection("the event bus is closed"))) }
        }
    }

    private func loop(_ configuration: RedisEventBus.Configuration, _ logger: Logger, _ box: ConnectionBox) {
        var connection: RedisConnection? = box.connection
        while true {
            wake.wait()
            let (jobs, running) = queue.withLock { queue in
                defer { queue.jobs = [] }
                return (queue.jobs, queue.running)
            }
            guard running else {
                for job in jobs { job.done(.failure(.connection("the event bus is closed"))) }
                return
            }
            guard !jobs.isEmpty else { continue }
            // A lost connection gets three attempts, with backoff, before the batch fails.
            var outcome: Result<[RedisValue], RedisError> = .failure(.connection("not connected"))
            for attempt in 1...3 {
                do {
                    if connection == nil { connection = try RedisConnection(configuration.url) }
                    outcome = .success(try connection!.pipeline(jobs.flatMap(\.commands)))
                    break
                } catch {
                    connection = nil
                    outcome = .failure(error)
                    logger.warning("redis command failed; reconnecting", metadata: ["error": .string("\(error)"), "attempt": .stringConvertible(attempt)])
                    if attempt < 3 { Thread.sleep(forTimeInterval: Self.seconds(configuration.reconnect.delay(attempt: attempt))) }
                }
            }
            switch outcome {
            case .failure(let error):
                for job in jobs { job.done(.failure(error)) }
            case .success(let replies):
                var offset = 0
                for job in jobs {
                    job.done(.success(Array(replies[offset..<offset + job.commands.count])))
                    offset += job.commands.count
                }
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Hands a connection made on one thread to the thread that will own it.
final class ConnectionBox: @unchecked Sendable {
    let connection: RedisConnection

    init(_ connection: RedisConnection) {
        self.connection = connection
    }
}
