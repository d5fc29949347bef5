import Foundation
import OrdinautCore
import OrdinautEvents
import OrdinautRedis
import Synchronization
import Testing

/// A real `redis-server` on a free loopback port with no persistence. Its output goes nowhere (it
/// must not hold the test runner's pipes open), and the process is killed when the tests exit.
final class RedisServer: Sendable {
    /// The server the suites share, started on first use.
    static let shared = Result { try RedisServer() }

    let port: Int
    private let process: Process

    init() throws {
        let candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RedisServerMissing()
        }
        // A random port may be taken (the server then exits at once: another port is tried), and a
        // machine busy with parallel suites may take seconds to start one.
        for _ in 0..<3 {
            let port = Int.random(in: 20_000...60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let pid = process.processIdentifier
            startedServers.withLock { $0.append(pid) }
            registerCleanup
            // Ready when it accepts a connection.
            let deadline = ContinuousClock.now + .seconds(15)
            while process.isRunning && ContinuousClock.now < deadline {
                if (try? RedisEventBus(configuration: .init(url: try RedisURL("redis://127.0.0.1:\(port)")))) != nil {
                    self.port = port
                    self.process = process
                    return
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
            process.terminate()
        }
        throw RedisServerMissing()
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    func bus() throws -> RedisEventBus {
        var configuration = RedisEventBus.Configuration(url: try RedisURL(url))
        configuration.claimIdle = .milliseconds(300)
        configuration.block = .milliseconds(100)
        configuration.discoveryInterval = .milliseconds(100)
        return try RedisEventBus(configuration: configuration)
    }

    /// Stops the server now.
    func stop() {
        process.terminate()
        // Polled: `waitUntilExit` needs a run loop, which a test's thread does not run.
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Every redis-server the tests started, killed at exit whatever happens to the objects.
private let startedServers = Mutex<[Int32]>([])
private let registerCleanup: Void = {
    atexit {
        for pid in startedServers.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}()

struct RedisServerMissing: Error, CustomStringConvertible {
    var description: String { "redis-server is not installed or did not start; `make test` installs it (scripts/bootstrap.sh)" }
}

@Suite("Redis Streams event bus", .serialized)
final class RedisEventBusTests {
    let server: RedisServer
    let contract: EventBusContract

    init() throws {
        let server = try RedisServer.shared.get()
        self.server = server
        contract = EventBusContract { try server.bus() }
    }

    @Test func publishNamesStreamsTheOriginalWay() async throws { try await contract.publishNamesStreamsTheOriginalWay() }
    @Test func causationAndPayloadLimitsHoldOnEveryBus() async throws { try await contract.causationAndPayloadLimitsHoldOnEveryBus() }
    @Test func subscribersReceiveMatchingEventsInOrder() async throws { try await contract.subscribersReceiveMatchingEventsInOrder() }
    @Test func readAfterAnIdReturnsOnlyLaterEvents() async throws { try await contract.readAfterAnIdReturnsOnlyLaterEvents() }
    @Test func badNamesAreRefusedWithAReason() async throws { try await contract.badNamesAreRefusedWithAReason() }
    @Test func aFailingHandlerIsCountedAndDoesNotStopDelivery() async throws { try await contract.aFailingHandlerIsCountedAndDoesNotStopDelivery() }
    @Test func cancelledSubscriptionsReceiveNothingMore() async throws { try await contract.cancelledSubscriptionsReceiveNothingMore() }
    @Test func aGroupGetsEachEventOnce() async throws { try await contract.aGroupGetsEachEventOnce() }

    @Test func aFailedEventIsRedeliveredToTheGroup() async throws {
        let bus = try server.bus()
        let attempts = Mutex(0)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        struct NotYet: Error {}
        _ = try await bus.publish(source: "s", namespace: "events", name: "retry.me", payload: 0)  // the stream exists
        let subscription = try await bus.subscribe(try TopicPattern("retry.*"), subscriber: "t", delivery: .group("retry")) { _ in
            let attempt = attempts.withLock { value -> Int in
                value += 1
                return value
            }
            if attempt == 1 { throw NotYet() }
            continuation.yield(attempt)
        }
        _ = try await bus.publish(source: "s", namespace: "events", name: "retry.me", payload: 1)
        for await attempt in stream {
            #expect(attempt == 2)
            break
        }
        subscription.cancel()
    }

    @Test func streamsAreBoundedApproximately() async throws {
        var configuration = RedisEventBus.Configuration(url: try RedisURL(server.url))
        configuration.retention = 100
        let bus = try RedisEventBus(configuration: configuration)
        for n in 0..<1000 { _ = try await bus.publish(source: "s", namespace: "events", name: "bounded", payload: .integer(Int64(n))) }
        let kept = try await bus.read(stream: StreamName(source: "s", namespace: "events", name: "bounded"), after: nil, limit: 10_000)
        #expect(kept.count < 1000 && kept.count >= 100)
        #expect(kept.last?.payload == 999)
    }

    @Test func publishingWithRedisGoneFailsToTheCaller() async throws {
        let bus = try RedisEventBus(configuration: .init(url: try RedisURL(server.url)))
        let other = try RedisServer()
        let stranded = try RedisEventBus(configuration: .init(url: try RedisURL(other.url)))
        _ = try await stranded.publish(source: "s", namespace: "events", name: "n", payload: 1)
        other.stop()
        await #expect(throws: EventBusError.self) {
            _ = try await stranded.publish(source: "s", namespace: "events", name: "n", payload: 2)
        }
        _ = try await bus.publish(source: "s", namespace: "events", name: "n", payload: 3)
    }

    @Test func badURLsAreRefused() {
        for url in ["http://x", "redis://", "redis://host:6379/notanumber"] {
            #expect(throws: RedisError.self) { _ = try RedisURL(url) }
        }
    }
}
