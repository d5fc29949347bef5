#if canImport(Glibc)
import Glibc
#endif
import CSpawn
import Foundation
import Synchronization

/// A child program in a process group of its own, with SIGKILL as its parent-death signal: it cannot
/// outlive this process, even one killed with `kill -9` (`Sources/CSpawn`).
///
/// Linux sends the parent-death signal when the *thread* that forked the child ends, not the
/// process. So each child is forked by a thread of its own, which then waits for it and ends only
/// after it: the signal can come from nothing but the death of this process.
///
/// When the child exits, what it left in its process group is killed before the child is reaped
/// (until then its pid, which is the group's id, cannot be reused, so the signal reaches only its
/// own). Signals go to the whole group, and only while the child is unreaped, for the same reason.
package final class ChildProcess: Sendable {
    /// How the child ended.
    package enum Exit: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        package var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signalled(let signal): "was killed by signal \(signal)"
            }
        }
    }

    /// Why a program could not be started.
    package struct SpawnError: Error, CustomStringConvertible {
        package let description: String
    }

    private struct State {
        var exited = false
        var exit: Exit?
        var waiters: [CheckedContinuation<Exit, Never>] = []
    }

    /// The child's pid, which is also its process group's id.
    package let pid: Int32
    private let state = Mutex(State())

    private init(pid: Int32) {
        self.pid = pid
    }

    /// Starts `executable` with the three descriptors as its standard streams (the caller closes its
    /// copies of the child's ends). `registry`, when given, records the child while it runs, so
    /// that a later start can reap what a crash left behind.
    package static func spawn(executable: String, arguments: [String], environment: [String: String], directory: String,
                              standardInput: Int32, standardOutput: Int32, standardError: Int32, label: String,
                              registry: ChildRegistry? = nil) async throws(SpawnError) -> ChildProcess {
        let started: Result<ChildProcess, SpawnError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                let pid = withCStrings([executable] + arguments) { argv in
                    withCStrings(environment.map { "\($0.key)=\($0.value)" }) { envp in
                        ordinaut_spawn(executable, argv, envp, directory, standardInput, standardOutput, standardError)
                    }
                }
                guard pid > 0 else {
                    continuation.resume(returning: .failure(SpawnError(description: "cannot run \(executable): \(String(cString: strerror(-pid)))")))
                    return
                }
                let child = ChildProcess(pid: pid)
                registry?.record(child: pid, label: label)
                continuation.resume(returning: .success(child))
                child.waitAndReap()
                registry?.forget(child: pid)
            }
            thread.name = "child-\(label)"
            thread.start()
        }
        return try started.get()
    }

    /// A pipe whose ends no child inherits (a spawned child gets its end as a standard stream).
    package static func pipe() throws(SpawnError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        let result = ordinaut_cloexec_pipe(&ends)
        guard result == 0 else { throw SpawnError(description: "cannot create a pipe: \(String(cString: strerror(-result)))") }
        return (ends[0], ends[1])
    }

    /// How the child ended, or nil while it runs.
    package var exit: Exit? { state.withLock { $0.exit } }

    package var isRunning: Bool { exit == nil }

    /// Sends `signal` to the child's process group, unless the child has already exited.
    package func signal(_ signal: Int32) {
        state.withLock { state in
            if !state.exited { kill(-pid, signal) }
        }
    }

    /// Waits until the child has exited and been reaped.
    package func waitForExit() async -> Exit {
        await withCheckedContinuation { continuation in
            let exit = state.withLock { state -> Exit? in
                if state.exit == nil { state.waiters.append(continuation) }
                return state.exit
            }
            if let exit { continuation.resume(returning: exit) }
        }
    }

    /// On the forking thread: waits for the exit without reaping, sweeps the group, then reaps.
    private func waitAndReap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        state.withLock { $0.exited = true }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit: Exit = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
        let waiters = state.withLock { state in
            state.exit = exit
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: exit) }
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
