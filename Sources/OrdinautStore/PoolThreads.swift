import Dispatch
import Foundation
import Synchronization

/// The threads of a `ConnectionPool` and the one queue they serve: transactions, and the jobs of
/// tasks that prefer this executor.
///
/// The threads hold this object, never the pool, so a pool nobody holds any more is released, and
/// its `deinit` stops them and closes their connections. Tasks that prefer this executor hold it
/// too; once it is stopped, their jobs go to the global executor.
final class PoolThreads: TaskExecutor, Sendable {
    typealias Opener = ConnectionPool.Opener

    private struct Job {
        /// Whether the work is wrapped in a transaction (a single-statement job may run without one).
        let transactional: Bool
        /// Runs the caller's work (inside a transaction or savepoint opened for it) and returns how
        /// to answer the caller once the outcome is durable.
        let work: @Sendable (any SQLConnection) -> Answer
        let fail: @Sendable (StoreError) -> Void
    }

    private struct Answer {
        let succeeded: Bool
        let deliver: @Sendable () -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        /// Jobs of tasks that prefer this executor.
        var tasks: [UnownedJob] = []
        var open = true
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let size: Int
    private let groupLimit: Int
    private let dialect: SQLDialect

    init(size: Int, name: String, dialect: SQLDialect, groupLimit: Int, open: @escaping Opener) {
        self.size = size
        self.groupLimit = groupLimit
        self.dialect = dialect
        for index in 0..<size {
            let thread = Thread { [self] in serve(open) }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on the next free connection (in a transaction when `transactional`) and returns its result.
    func perform<T: Sendable>(transactional: Bool, _ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let job = Job(
                transactional: transactional,
                work: { connection in
                    do throws(StoreError) {
                        let value = try body(connection)
                        return Answer(succeeded: true) { continuation.resume(returning: .success(value)) }
                    } catch {
                        return Answer(succeeded: false) { continuation.resume(returning: .failure(error)) }
                    }
                },
                fail: { continuation.resume(returning: .failure($0)) })
            let accepted = queue.withLock { queue -> Bool in
                guard queue.open else { return false }
                queue.jobs.append(job)
                return true
            }
            if accepted { wake.signal() } else { continuation.resume(returning: .failure(.unavailable("the database is closed"))) }
        }
        return try result.get()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = queue.withLock { queue -> Bool in
            guard queue.open else { return false }
            queue.tasks.append(job)
            return true
        }
        if accepted { wake.signal() } else { globalConcurrentExecutor.enqueue(job) }
    }

    /// Takes no more work, fails what is queued, hands waiting tasks to the global executor and tells
    /// the threads to end; they close their connections as they go.
    func stop() {
        let (pending, tasks) = queue.withLock { queue -> ([Job], [UnownedJob]) in
            guard queue.open else { return ([], []) }
            queue.open = false
            defer { (queue.jobs, queue.tasks) = ([], []) }
            return (queue.jobs, queue.tasks)
        }
        for job in pending { job.fail(.unavailable("the database is closed")) }
        for task in tasks { globalConcurrentExecutor.enqueue(task) }
        for _ in 0..<size { wake.signal() }
    }

    /// `stop()`, then waits until every thread has closed its connection.
    func close() async {
        stop()
        let finished = self.finished
        let size = self.size
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                for _ in 0..<size { finished.wait() }
                // Let a later `close()` return at once too.
                for _ in 0..<size { finished.signal() }
                continuation.resume()
            }.start()
        }
    }

    private func serve(_ open: Opener) {
        var connection: (any PooledConnection)?
        defer {
            connection?.close()
            finished.signal()
        }
        var tasks: [UnownedJob] = []
        while true {
            wake.wait()
            // Every queued item (a task's job or a transaction) signalled once. Items taken beyond the
            // one this wake-up was for leave their signals behind; each later makes one empty pass,
            // which costs no system call.
            let batch = queue.withLock { queue -> [Job]? in
                guard queue.open else { return nil }
                swap(&tasks, &queue.tasks)
                let count = min(groupLimit, queue.jobs.count)
                defer { queue.jobs.removeFirst(count) }
                return Array(queue.jobs.prefix(count))
            }
            guard let batch else { return }
            for task in tasks { task.runSynchronously(on: asUnownedTaskExecutor()) }
            tasks.removeAll(keepingCapacity: true)
            guard !batch.isEmpty else { continue }
            if connection == nil {
                do throws(StoreError) {
                    connection = try open()
                } catch {
                    for job in batch { job.fail(error) }
                    continue
                }
            }
            run(batch, on: connection!)
            if connection!.isBroken {
                connection!.close()
                connection = nil
            }
        }
    }

    /// Runs `jobs` in one transaction (each in a savepoint when there are several), commits, then answers them.
    private func run(_ jobs: [Job], on connection: any SQLConnection) {
        if jobs.count == 1 && !jobs[0].transactional {
            jobs[0].work(connection).deliver()
            return
        }
        do throws(StoreError) {
            try connection.execute(dialect.begin, [])
        } catch {
            for job in jobs { job.fail(error) }
            return
        }
        var answers: [(Job, Answer)] = []
        if jobs.count == 1 {
            answers.append((jobs[0], jobs[0].work(connection)))
            if !answers[0].1.succeeded {
                _ = try? connection.execute("ROLLBACK", [])
                answers[0].1.deliver()
                return
            }
        } else {
            for job in jobs {
                do throws(StoreError) {
                    try connection.execute("SAVEPOINT grouped", [])
                    let answer = job.work(connection)
                    if !answer.succeeded { try connection.execute("ROLLBACK TO SAVEPOINT grouped", []) }
                    try connection.execute("RELEASE SAVEPOINT grouped", [])
                    answers.append((job, answer))
                } catch {
                    // The savepoint machinery itself failed: give up on the whole group.
                    _ = try? connection.execute("ROLLBACK", [])
                    for (done, _) in answers { done.fail(error) }
                    job.fail(error)
                    for rest in jobs[(answers.count + 1)...] { rest.fail(error) }
                    return
                }
            }
        }
        do throws(StoreError) {
            try connection.execute("COMMIT", [])
        } catch {
            _ = try? connection.execute("ROLLBACK", [])
            for (job, answer) in answers {
                if answer.succeeded { job.fail(error) } else { answer.deliver() }
            }
            return
        }
        for (_, answer) in answers { answer.deliver() }
    }
}
