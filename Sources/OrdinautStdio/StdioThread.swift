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
///
/// While it reads input, the thread is also a `LineReactor`: it reads subprocess extensions' answers
/// beside the client's requests, so a task waiting for one resumes on the thread that read it, and no
/// reading thread has to wake this one. When it stops, each descriptor it still reads gets a reading
/// thread of its own.
final class StdioThread: TaskExecutor, LineReactor, Sendable {
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
        /// The reading loop runs and takes descriptors to watch (`LineReactor`).
        var watching = false
        /// Descriptors to watch that the loop has not taken yet.
        var newWatches: [LineReader] = []
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
        state.withLock { state in
            state.running = true
            state.watching = true
        }
        launch(reading: Admission(admits: admits, onLine: onLine))
    }

    func watch(_ reader: LineReader) -> Bool {
        let (accepted, sleeping) = state.withLock { state -> (Bool, Bool) in
            guard state.watching else { return (false, false) }
            state.newWatches.append(reader)
            defer { state.sleeping = false }
            return (true, state.sleeping)
        }
        if sleeping { signal() }
        return accepted
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
        var watched = WatchedLines()
        var probes: [pollfd] = []
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer {
            buffer.deallocate()
            lines.finish()
            if admission != nil {
                watched.adopt(state.withLock { state in
                    state.watching = false
                    defer { state.newWatches = [] }
                    return state.newWatches
                })
                watched.handOver()
            }
        }
        /// Waits as `wait(watching:forInput:lookIfBusy:)` says, reading the watched descriptors too.
        func wait(for input: Int32?, forInput: Bool, lookIfBusy: Bool = true) -> Bool? {
            self.wait(watching: input, forInput: forInput, lookIfBusy: lookIfBusy, watched: &watched, probes: &probes, buffer: buffer)
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
                if wait(for: nil, forInput: false) == nil { return }
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
            guard let ready = wait(for: input, forInput: wantInput, lookIfBusy: !justRead) else { return }
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
    /// pending it does not wait, and looks at the input and the watched descriptors only if
    /// `lookIfBusy`. Whatever the watched descriptors have is read and handed over before it returns.
    private func wait(watching input: Int32?, forInput: Bool, lookIfBusy: Bool, watched: inout WatchedLines,
                      probes: inout [pollfd], buffer: UnsafeMutableRawBufferPointer) -> Bool? {
        let (timeout, adopted) = state.withLock { state -> (Int32?, [LineReader]) in
            defer { state.newWatches.removeAll() }
            if !state.jobs.isEmpty || state.woken {
                state.woken = false
                return (0, state.newWatches)
            }
            if state.closed {
                state.running = false
                return (nil, state.newWatches)
            }
            state.sleeping = true
            return (-1, state.newWatches)
        }
        watched.adopt(adopted)
        guard let timeout else { return nil }
        if timeout == 0 && !(lookIfBusy && (forInput || !watched.isEmpty)) { return false }
        probes.removeAll(keepingCapacity: true)
        probes.append(pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0))
        probes.append(pollfd(fd: input ?? -1, events: forInput ? Int16(POLLIN) : 0, revents: 0))
        watched.addProbes(to: &probes)
        let result = poll(&probes, nfds_t(probes.count), timeout)
        if timeout != 0 { state.withLock { $0.sleeping = false } }
        guard result > 0 else { return false }
        if probes[0].revents != 0 { drainWakeUps() }
        if probes.count > 2 { watched.read(ready: probes[2...], into: buffer) }
        return probes[1].revents != 0
    }

    /// Empties the wake-up pipe: one read takes every wake-up but a flood's.
    private func drainWakeUps() {
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let size = MemoryLayout.size(ofValue: scratch)
        while Glibc.read(wakeReader, &scratch, size) == size {}
    }
}
