import NIOCore

/// A connection's event loop as the preferred executor of the task that serves it.
///
/// Without a preference, every `await` in a request (reading the body, the access gate, the tool
/// call, writing the answer) resumes on the concurrency pool and every write hops back to the
/// loop: a thread wake-up each way. With the loop preferred, a request is read, handled and
/// answered on the loop that owns its socket; work that must go elsewhere (an actor with an
/// executor of its own, a blocking store) still does.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // The closure holds the executor, so it outlives every job enqueued on it.
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
