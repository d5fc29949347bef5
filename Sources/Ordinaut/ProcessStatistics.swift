#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What the kernel says about this process, for the standard `process_*` metrics: read from
/// `/proc/self` at scrape time (Linux).
struct ProcessStatistics: Equatable {
    var cpuSeconds: Double
    var residentBytes: Int
    var virtualBytes: Int
    var threads: Int
    /// Seconds since 1970.
    var startTime: Double
    var openDescriptors: Int
    var maximumDescriptors: Int

    /// The current figures, or `nil` where `/proc` cannot be read.
    static func current() -> ProcessStatistics? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let system = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let bootTime = bootTime(system) else { return nil }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var limit = rlimit()
        let maximum = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 0
        return parse(stat: stat, statm: statm, bootTime: bootTime, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
                     pageSize: Int(sysconf(Int32(_SC_PAGESIZE))), openDescriptors: max(0, descriptors - 1), maximumDescriptors: maximum)
    }

    /// Parses `/proc/self/stat` (fields after the command name, which may hold spaces and
    /// parentheses) and `/proc/self/statm`.
    static func parse(stat: String, statm: String, bootTime: Double, ticksPerSecond: Double, pageSize: Int,
                      openDescriptors: Int, maximumDescriptors: Int) -> ProcessStatistics? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // Field 3 (state) is the first after the name; utime is 14, stime 15, threads 20, starttime 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        let pages = statm.split(separator: " ")
        guard let user = field(14), let system = field(15), let threads = field(20), let start = field(22),
              pages.count >= 2, let size = Int(pages[0]), let resident = Int(pages[1]), ticksPerSecond > 0 else { return nil }
        return ProcessStatistics(cpuSeconds: (user + system) / ticksPerSecond, residentBytes: resident * pageSize,
                                 virtualBytes: size * pageSize, threads: Int(threads), startTime: bootTime + start / ticksPerSecond,
                                 openDescriptors: openDescriptors, maximumDescriptors: maximumDescriptors)
    }

    /// `btime` of `/proc/stat`: when the machine booted, in seconds since 1970.
    static func bootTime(_ system: String) -> Double? {
        for line in system.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
