import Foundation

/// What `/proc/<pid>/stat` tells about a process. Its start time (field 22, in clock ticks since
/// boot) tells a process from a later one that got the same pid.
package enum ProcessStat {
    /// The start time of process `pid`, or nil when no such process exists.
    package static func startTime(of pid: Int32) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        return startTime(statLine: String(decoding: data, as: UTF8.self))
    }

    /// Field 22 of a stat line. The command name (field 2) is in parentheses and may itself hold
    /// spaces and parentheses, so fields are counted from the last `)`.
    package static func startTime(statLine: String) -> UInt64? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // The fields after the name start at field 3, so field 22 is the 20th.
        guard fields.count >= 20 else { return nil }
        return UInt64(fields[19])
    }
}
