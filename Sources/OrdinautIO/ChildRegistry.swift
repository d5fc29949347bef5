#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One file per running child program in a folder of the data directory, so that a start after a
/// crash can find the process groups the crashed process left and kill them.
///
/// A child dies with its host (its parent-death signal), but what it started itself in its process
/// group does not. A record is `<child start time> <host pid> <host start time> <label>`, named by
/// the child's pid. At start, records of hosts that no longer run are reaped: the child's group is
/// killed unless its pid now belongs to a process that started at another time (a reused pid). A
/// group's id stays reserved while any member lives, so the signal reaches only what was ours.
package struct ChildRegistry: Sendable {
    /// A process group that was killed.
    package struct Leftover: Sendable, Equatable {
        package let pid: Int32
        package let label: String
    }

    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    private static let host: (pid: Int32, start: UInt64) = {
        let pid = getpid()
        return (pid, ProcessStat.startTime(of: pid) ?? 0)
    }()

    /// Records child `pid` of this process.
    func record(child pid: Int32, label: String) {
        guard let start = ProcessStat.startTime(of: pid) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let line = "\(start) \(Self.host.pid) \(Self.host.start) \(label)\n"
        _ = FileManager.default.createFile(atPath: path(pid), contents: Data(line.utf8))
    }

    /// Removes the record of child `pid`, which has exited and whose group was killed.
    func forget(child pid: Int32) {
        try? FileManager.default.removeItem(atPath: path(pid))
    }

    /// Kills the groups of children recorded by processes that no longer run, removes their
    /// records, and returns the groups that still had members.
    package func reapLeftovers() -> [Leftover] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var reaped: [Leftover] = []
        for name in names {
            guard let pid = Int32(name), pid > 1 else { continue }
            let fields = (FileManager.default.contents(atPath: path(pid)).map { String(decoding: $0, as: UTF8.self) } ?? "")
                .split(separator: " ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if fields.count == 4, let start = UInt64(fields[0]), let host = Int32(fields[1]), let hostStart = UInt64(fields[2]) {
                if ProcessStat.startTime(of: host) == hostStart { continue }  // its host still runs
                let current = ProcessStat.startTime(of: pid)
                if current == nil || current == start {
                    if current != nil { kill(pid, SIGKILL) }
                    if kill(-pid, SIGKILL) == 0 || current != nil { reaped.append(Leftover(pid: pid, label: fields[3])) }
                }
            }
            forget(child: pid)
        }
        return reaped
    }

    private func path(_ pid: Int32) -> String {
        directory + "/\(pid)"
    }
}
