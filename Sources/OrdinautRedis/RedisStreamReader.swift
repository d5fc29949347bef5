import Dispatch
import Foundation
import Logging
import OrdinautCore
import OrdinautEvents
import Synchronization


/// One subscription's reading loop, on its own thread and connection.
final class StreamReader: @unchecked Sendable {
    let bus: RedisEventBus
    let pattern: TopicPattern
    let delivery: Delivery
    let subscription: EventSubscription
    let handler: EventHandler
    let stopped: StopFlag
    var connection: RedisConnection?
    /// Stream → the last id read (fan-out) or `>` (group).
    var positions: [String: String] = [:]
    let consumer: String
    var lastDiscovery = ContinuousClock.now
    var lastClaim = ContinuousClock.now

    init(bus: RedisEventBus, pattern: TopicPattern, delivery: Delivery, subscription: EventSubscription,
         handler: @escaping EventHandler, stopped: StopFlag, connection: RedisConnection) {
        self.bus = bus
        self.pattern = pattern
        self.delivery = delivery
        self.subscription = subscription
        self.handler = handler
        self.stopped = stopped
        self.connection = connection
        consumer = "\(bus.consumerPrefix):\(UUID().uuidString.prefix(8))"
    }

    var isStopped: Bool { stopped.isStopped }

    private var group: String? {
        if case .group(let name) = delivery { return name }
        return nil
    }

    /// Finds the streams matching the pattern and prepares to read them.
    func discover(initial: Bool) throws(RedisError) {
        guard let connection else { throw .connection("not connected") }
        let members = try connection.command(["SMEMBERS", RedisEventBus.streamIndex]).array ?? []
        for stream in members.compactMap(\.text) where positions[stream] == nil && matches(stream) {
            if let group {
                let start = initial ? "$" : "0"
                let reply = try connection.command(["XGROUP", "CREATE", stream, group, start, "MKSTREAM"])
                if case .error(let message) = reply, !message.hasPrefix("BUSYGROUP") { throw .reply(message) }
                positions[stream] = ">"
            } else if initial {
                let last = try connection.command(["XREVRANGE", stream, "+", "-", "COUNT", "1"]).array?.first
                positions[stream] = last?.array?.first?.text ?? "0-0"
            } else {
                positions[stream] = "0-0"
            }
        }
        lastDiscovery = ContinuousClock.now
    }

    private func matches(_ stream: String) -> Bool {
        let parts = stream.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "ext" else { return false }
        return pattern.matches(source: String(parts[1]), namespace: String(parts[2]), name: String(parts[3]))
    }

    func run() {
        var failures = 0
        while !isStopped {
            do {
                if connection == nil { connection = try RedisConnection(bus.configuration.url) }
                if ContinuousClock.now - lastDiscovery >= bus.configuration.discoveryInterval { try discover(initial: false) }
                if group != nil, ContinuousClock.now - lastClaim >= bus.configuration.claimIdle / 2 { try claim() }
                try readOnce()
                failures = 0
            } catch {
                connection = nil
                failures += 1
                bus.logger.warning("redis subscription lost its connection; reconnecting", metadata: [
                    "pattern": .string(pattern.text), "error": .string("\(error)"), "attempt": .stringConvertible(failures),
                ])
                Thread.sleep(forTimeInterval: CommandExecutor.seconds(bus.configuration.reconnect.delay(attempt: failures)))
            }
        }
        connection = nil
    }

    private func readOnce() throws(RedisError) {
        guard let connection else { throw .connection("not connected") }
        guard !positions.isEmpty else {
            Thread.sleep(forTimeInterval: CommandExecutor.seconds(bus.configuration.block))
            return
        }
        let streams = positions.keys.sorted()
        let block = String(Int(CommandExecutor.seconds(bus.configuration.block) * 1000))
        connection.setTimeout(bus.configuration.block + .seconds(5))
        let command: [String]
        if let group {
            command = ["XREADGROUP", "GROUP", group, consumer, "COUNT", "100", "BLOCK", block, "STREAMS"] + streams + streams.map { _ in ">" }
        } else {
            command = ["XREAD", "COUNT", "100", "BLOCK", block, "STREAMS"] + streams + streams.map { positions[$0]! }
        }
        let reply = try connection.command(command)
        if case .error(let message) = reply {
            if message.hasPrefix("NOGROUP") {
                // The stream or group was deleted: find it again.
                positions = [:]
                try discover(initial: false)
                return
            }
            throw .reply(message)
        }
        for streamReply in reply.array ?? [] {
            guard let parts = streamReply.array, parts.count == 2, let stream = parts[0].text else { continue }
            for entry in parts[1].array ?? [] { try deliver(stream: stream, entry: entry) }
        }
    }

    /// Takes over entries another consumer of the group left pending for too long.
    private func claim() throws(RedisError) {
        guard let connection, let group else { return }
        let idle = String(Int(CommandExecutor.seconds(bus.configuration.claimIdle) * 1000))
        for stream in positions.keys.sorted() {
            let reply = try connection.command(["XAUTOCLAIM", stream, group, consumer, idle, "0-0", "COUNT", "100"])
            guard let parts = reply.array, parts.count >= 2 else { continue }
            for entry in parts[1].array ?? [] { try deliver(stream: stream, entry: entry) }
        }
        lastClaim = ContinuousClock.now
    }

    private func deliver(stream: String, entry: RedisValue) throws(RedisError) {
        guard let id = entry.array?.first?.text else { return }
        if group == nil { positions[stream] = id }
        guard let event = RedisEventBus.event(stream: stream, entry: entry) else {
            // Not ours: acknowledge it so it is not claimed forever.
            if let group { _ = try connection?.command(["XACK", stream, group, id]) }
            return
        }
        guard !isStopped else { return }
        if runHandler(event) {
            subscription.record { $0.delivered += 1 }
            if let group { _ = try connection?.command(["XACK", stream, group, id]) }
        } else {
            // Left pending: claimed again after `claimIdle` (at-least-once).
            subscription.record { $0.failed += 1 }
        }
    }

    /// Runs the async handler from this thread and waits for it.
    private func runHandler(_ event: Event) -> Bool {
        let outcome = Mutex<Bool?>(nil)
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        let logger = bus.logger
        Task {
            do {
                try await handler(event)
                outcome.withLock { $0 = true }
            } catch {
                logger.warning("event handler failed; the event stays pending", metadata: [
                    "stream": .string(event.stream), "event": .string(event.id), "error": .string("\(error)"),
                ])
                outcome.withLock { $0 = false }
            }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0 } ?? false
    }
}

/// Set once, read by a subscription's thread.
final class StopFlag: Sendable {
    private let value = Mutex(false)

    func stop() { value.withLock { $0 = true } }

    var isStopped: Bool { value.withLock { $0 } }
}
