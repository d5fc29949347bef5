#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OrdinautIO
import Synchronization

/// The stdio transport's own thread: it reads requests from stdin and runs the tasks that handle them.
///
/// The transport's tasks prefer this executor (`withTaskExecutorPreference`), so a request read here
/// is parsed, handled and answered on this thread without waking any other: over a pipe a round trip
/// costs the two context switches of the pipe itself, where handing each line to the concurrency pool
/// and each answer to a writer thread cost four. Work that waits (the database, subprocesses, the
/// network) runs on threads of its own and resumes here; a task that computes for long holds the
/// other stdio requests back, as it would hold one core of the pool.
///
/// Input is read only while `admits` says there is room, and at most one read is held beyond that:
/// its lines are taken one at a time (`LineSplitter`), so when the room runs out the rest of the read
/// waits, and the client's further requests wait in its own pipe. Whoever frees room calls `wake()`.
final class StdioThread: TaskExecutor, Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        /// The thread waits in `poll` and must be woken to see new jobs.
        var sleeping = false
        /// No more input is wanted (graceful shutdown).
        var inputStopped = false
        /// `wake()` was called while the thread was not waiting: it looks again before it waits.
        var woken = false
        /// The thread ends once it has no jobs.
        var closed = false
        var running = false
    }

    /// What the reading thread asks before and tells after taking a line.
    private struct Admission {
        let admits: @Sendable () -> Bool
        let onLine: @Sendable () -> Void
    }

    /// The lines read; finishes at end of input or on `stopInput()`.
    let lines = LineInbox()
    private let state = Mutex(State())
    private let input: Int32
    private let maximumLineLength: Int
    /// A pipe whose reading end `poll` watches beside the input, written to wake the thread.
    private let wakeReader: Int32
    private let wakeWriter: Int32

    init(input: Int32, maximumLineLength: Int) {
        self.input = input
        self.maximumLineLength = maximumLineLength
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0, "no descriptor left for the stdio thread's wake-up pipe")
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (wakeReader, wakeWriter) = (ends[0], ends[1])
    }

    deinit {
        Glibc.close(wakeReader)
        Glibc.close(wakeWriter)
    }

    /// Starts the thread. `admits` tells whether another line may be taken now; `onLine` runs before
    /// each line is delivered.
    func start(admits: @escaping @Sendable () -> Bool, onLine: @escaping @Sendable () -> Void) {
        state.withLock { $0.running = true }
        launch(reading: Admission(admits: admits, onLine: onLine))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (wake, relaunch) = state.withLock { state -> (Bool, Bool) in
            state.jobs.append(job)
            defer { state.sleeping = false }
            guard state.running else {
                // A job after `close()` let the thread end: run it (and whatever follows) on a new one.
                state.running = true
                return (false, true)
            }
            return (state.sleeping, false)
        }
        if wake { signal() }
        if relaunch { launch(reading: nil) }
    }

    /// Wakes the thread if it waits, so that it looks again whether input is admitted.
    func wake() {
        let sleeping = state.withLock { state in
            defer { state.sleeping = false }
            if !state.sleeping { state.woken = true }
            return state.sleeping
        }
        if sleeping { signal() }
    }

    /// Reads no more input and finishes `lines` (graceful shutdown).
    func stopInput() {
        state.withLock { $0.inputStopped = true }
        signal()
    }

    /// Lets the thread end once it has no jobs; input is no longer read.
    func close() {
        state.withLock { state in
            state.closed = true
            state.inputStopped = true
        }
        signal()
    }

    private func signal() {
        var one: UInt8 = 1
        _ = Glibc.write(wakeWriter, &one, 1)
    }

    private func launch(reading admission: Admission?) {
        Thread { [self] in loop(reading: admission) }.start()
    }

    /// Runs jobs, and reads input when `admission` is given, until `close()` and no job is left.
    private func loop(reading admission: Admission?) {
        var splitter = LineSplitter(maximumLineLength: maximumLineLength)
        var inputOpen = admission != nil
        var hungUp = false
        // Input was read since the last wait: with jobs pending, the next wait need not look for more.
        var justRead = false
        var batch: [UnownedJob] = []
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer {
            buffer.deallocate()
            lines.finish()
        }
        while true {
            // One batch of jobs, then input: a task that keeps yielding cannot starve the client.
            state.withLock { swap(&batch, &$0.jobs) }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)

            if inputOpen && state.withLock({ $0.inputStopped }) {
                inputOpen = false
                lines.finish()
            }
            guard inputOpen, let admission else {
                if wait(watching: nil, forInput: false) == nil { return }
                continue
            }
            var delivered = false
            while hungUp || admission.admits(), let line = splitter.next() {
                deliver(line, admission)
                delivered = true
            }
            if delivered { continue }
            let wantInput = splitter.isDrained && (hungUp || admission.admits())
            // Right after a read, the client is almost always waiting for the answer to what was
            // read: looking for more while its jobs are pending would cost each round trip a `poll`
            // that finds nothing. The look is only put off one batch, so a task that keeps
            // yielding still cannot starve the input.
            guard let ready = wait(watching: input, forInput: wantInput, lookIfBusy: !justRead) else { return }
            justRead = false
            guard ready else { continue }
            if !wantInput {
                hungUp = true  // the client hung up while we had no room: what is left in its pipe is read to its end
                continue
            }
            let count = read(input, buffer.baseAddress, capacity)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count > 0 {
                justRead = true
                splitter.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            } else {
                if let last = splitter.finish() { deliver(last, admission) }
                inputOpen = false
                lines.finish()
            }
        }
    }

    private func deliver(_ line: LineSplitter.Line, _ admission: Admission) {
        admission.onLine()
        lines.yield(line)
    }

    /// Waits until there are jobs or a `wake()`, or `input` has something for us (`forInput`) or hung
    /// up; true when the input is ready, false otherwise, nil when the thread is to end. With jobs
    /// pending it does not wait, and looks at the input only if `lookIfBusy`.
    private func wait(watching input: Int32?, forInput: Bool, lookIfBusy: Bool = true) -> Bool? {
        let timeout = state.withLock { state -> Int32? in
            if !state.jobs.isEmpty || state.woken {
                state.woken = false
                return 0
            }
            if state.closed {
                state.running = false
                return nil
            }
            state.sleeping = true
            return -1
        }
        guard let timeout else { return nil }
        if timeout == 0 && !(forInput && lookIfBusy) { return false }
        var probes = (pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
                      pollfd(fd: input ?? -1, events: forInput ? Int16(POLLIN) : 0, revents: 0))
        let result = withUnsafeMutableBytes(of: &probes) { poll($0.baseAddress!.assumingMemoryBound(to: pollfd.self), 2, timeout) }
        if timeout != 0 { state.withLock { $0.sleeping = false } }
        if probes.0.revents != 0 { drainWakeUps() }
        return result > 0 && probes.1.revents != 0
    }

    private func drainWakeUps() {
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while Glibc.read(wakeReader, &scratch, MemoryLayout.size(ofValue: scratch)) > 0 {}
    }
}
