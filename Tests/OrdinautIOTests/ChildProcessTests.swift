#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OrdinautIO
import Testing

@Suite("Child processes")
struct ChildProcessTests {
    private func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "ordinaut-io-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func spawn(_ script: String, registry: ChildRegistry? = nil) async throws -> ChildProcess {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        return try await ChildProcess.spawn(
            executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"], directory: "/",
            standardInput: null, standardOutput: null, standardError: null, label: "test", registry: registry)
    }

    @Test func theChildLeadsAProcessGroupOfItsOwnAndItsExitIsReported() async throws {
        let child = try await spawn("sleep 30")
        #expect(getpgid(child.pid) == child.pid)
        #expect(getpgid(child.pid) != getpgid(0))
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == .signalled(SIGTERM))
        #expect(!child.isRunning)
    }

    @Test func anExitStatusIsReported() async throws {
        let child = try await spawn("exit 7")
        #expect(await child.waitForExit() == .exited(7))
    }

    @Test func aMissingProgramIsASpawnError() async {
        await #expect(throws: ChildProcess.SpawnError.self) {
            try await ChildProcess.spawn(executable: "/nonexistent/program", arguments: [], environment: [:], directory: "/",
                                         standardInput: 0, standardOutput: 1, standardError: 2, label: "missing")
        }
    }

    @Test func whatTheChildLeftInItsGroupIsKilledWhenItExits() async throws {
        let directory = temporaryDirectory()
        let pidFile = directory + "/grandchild"
        let child = try await spawn("sleep 60 & echo $! > \(pidFile); exit 0")
        #expect(await child.waitForExit() == .exited(0))
        let grandchild = Int32(String(decoding: FileManager.default.contents(atPath: pidFile)!, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        // The grandchild was SIGKILLed before the child was reaped; it is gone or a zombie of init.
        var gone = false
        for _ in 0..<200 where !gone {
            let state = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8))
                .flatMap { $0.split(separator: ")").last?.split(separator: " ").first }
            gone = state == nil || state == "Z"
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone)
    }

    @Test func aRunningChildIsRecordedAndForgottenWhenItExits() async throws {
        let registry = ChildRegistry(directory: temporaryDirectory())
        let child = try await spawn("sleep 30", registry: registry)
        #expect(FileManager.default.fileExists(atPath: registry.directory + "/\(child.pid)"))
        #expect(registry.reapLeftovers().isEmpty, "the recording host still runs")
        #expect(child.isRunning)
        child.signal(SIGKILL)
        _ = await child.waitForExit()
        for _ in 0..<200 where FileManager.default.fileExists(atPath: registry.directory + "/\(child.pid)") {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!FileManager.default.fileExists(atPath: registry.directory + "/\(child.pid)"))
    }

    @Test func theStartTimeIsFieldTwentyTwoEvenWhenTheNameHoldsParentheses() {
        let line = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10"
        #expect(ProcessStat.startTime(statLine: line) == 987654)
        #expect(ProcessStat.startTime(statLine: "garbage") == nil)
        #expect(ProcessStat.startTime(of: getpid()) != nil)
    }
}
