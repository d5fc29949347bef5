import Foundation
import Synchronization

/// A real PostgreSQL server for tests: `initdb` into a temporary folder, `postgres` on a free
/// loopback port with fsync off. It takes up to 500 connections: Swift Testing runs the suites in
/// parallel, and at its peak the suite holds about 210 (each store opens up to four pooled
/// connections and one that listens). As root it runs as the `postgres` user (PostgreSQL refuses root),
/// through `setpriv`, which execs, so the process killed at exit is the server itself.
public final class PostgresTestServer: Sendable {
    /// The server a test process shares, started on first use.
    public static let shared = Result { try PostgresTestServer() }

    public let port: Int
    public let directory: String
    private let pid: Int32

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public init() throws {
        guard let bin = Self.binaries() else {
            throw Unavailable(description: "PostgreSQL's initdb and postgres are not installed; `make test` installs them (scripts/bootstrap.sh)")
        }
        directory = NSTemporaryDirectory() + "ordinaut-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot { try Self.run("/bin/chown", ["postgres:postgres", directory]) }
        let prefix = asRoot ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] : []
        let initdb = prefix + [bin + "/initdb", "-D", directory + "/data", "-A", "trust", "-U", "ordinaut", "-E", "UTF8", "--no-sync"]
        try Self.run(initdb[0], Array(initdb.dropFirst()))
        port = Int.random(in: 20_000...60_000)
        let server = prefix + [bin + "/postgres", "-D", directory + "/data", "-p", String(port), "-k", directory,
                               "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                               "-c", "full_page_writes=off", "-c", "max_connections=500"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server[0])
        process.arguments = Array(server.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        startedServers.withLock { $0.append(process.processIdentifier) }
        registerCleanup
        for _ in 0..<500 {
            if (try? Self.run(bin + "/pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-q"])) != nil { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(pid, SIGKILL)
        throw Unavailable(description: "postgres did not start on port \(port) (data in \(directory))")
    }

    /// A URL for the default database.
    public var url: String { "postgres://ordinaut@127.0.0.1:\(port)/postgres" }

    /// A URL whose connections use schema `name` (created if needed): isolation between tests.
    public func url(schema name: String) throws -> String {
        try psql("CREATE SCHEMA IF NOT EXISTS \(name)")
        return "postgres://ordinaut@127.0.0.1:\(port)/postgres?options=-csearch_path%3D\(name)"
    }

    /// Runs SQL with psql against the default database.
    public func psql(_ sql: String) throws {
        guard let bin = Self.binaries() else { return }
        try Self.run(bin + "/psql",
                     ["-h", "127.0.0.1", "-p", String(port), "-U", "ordinaut", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Stops the server abruptly (as a crash would).
    public func kill9() {
        kill(pid, SIGKILL)
    }

    static func binaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for version in versions.sorted(by: >) where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        return nil
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning { usleep(2_000) }
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return 0
    }
}

/// Every postgres the tests started, killed at exit whatever happens to the objects.
private let startedServers = Mutex<[Int32]>([])
private let registerCleanup: Void = {
    atexit {
        for pid in startedServers.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}()
