@testable import Ordinaut
import Testing

@Suite("Process statistics")
struct ProcessStatisticsTests {
    @Test func parsesStatWhoseNameHoldsSpacesAndParentheses() throws {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        // priority nice num_threads itrealvalue starttime …
        let stat = "4242 (ord (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 12345 99999 300 18446744073709551615"
        let figures = try #require(ProcessStatistics.parse(stat: stat, statm: "5000 300 100 1 0 400 0", bootTime: 1_700_000_000,
                                                           ticksPerSecond: 100, pageSize: 4096, openDescriptors: 9, maximumDescriptors: 1024))
        #expect(figures.cpuSeconds == 3.0)
        #expect(figures.threads == 7)
        #expect(figures.startTime == 1_700_000_123.45)
        #expect(figures.residentBytes == 300 * 4096 && figures.virtualBytes == 5000 * 4096)
        #expect(ProcessStatistics.parse(stat: "garbage", statm: "", bootTime: 0, ticksPerSecond: 100, pageSize: 4096,
                                        openDescriptors: 0, maximumDescriptors: 0) == nil)
        #expect(ProcessStatistics.bootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 5") == 1_700_000_000)
    }

    @Test func readsThisProcess() throws {
        let figures = try #require(ProcessStatistics.current())
        #expect(figures.residentBytes > 0 && figures.threads >= 1 && figures.openDescriptors > 0)
        #expect(figures.maximumDescriptors >= figures.openDescriptors)
    }
}
