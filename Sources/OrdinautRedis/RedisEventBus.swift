import Dispatch
import Foundation
import Logging
import OrdinautCore
import OrdinautEvents
import Synchronization

/// The event bus on Redis Streams. Publishing is `XADD` with an approximate `MAXLEN`, pipelined on
/// one connection; a group subscription is a consumer group (`XREADGROUP BLOCK`, `XACK`, and
/// `XAUTOCLAIM` of entries a dead consumer left pending); a fan-out subscription reads with `XREAD`.
/// Streams are named `ext:{source}:{namespace}:{name}` and recorded in the set `ordinaut:streams`,
/// which is how a pattern finds the streams it matches. Every blocking call runs on a dedicated
/// thread; a lost connection is re-established with backoff, and a publish that cannot be written
/// fails to its caller.
public final class RedisEventBus: EventBus {
    public let backend = "redis"

    /// The set that lists every stream, so patterns can find them.
    static let streamIndex = "ordinaut:streams"

    public struct Configuration: Sendable {
        public var url: RedisURL
        /// Entries kept per stream (`MAXLEN ~`).
        public var retention: Int = 10_000
        /// How long a pending entry of another consumer waits before this one claims it.
        public var claimIdle: Duration = .seconds(30)
        /// How long `XREADGROUP`/`XREAD` block, which bounds how fast a cancelled subscription ends.
        public var block: Duration = .milliseconds(500)
        /// How often a subscription looks for new streams matching its pattern.
        public var discoveryInterval: Duration = .seconds(1)
        public var reconnect = Backoff(base: .milliseconds(100), cap: .seconds(5))

        public init(url: RedisURL) {
            self.url = url
        }
    }

    let configuration: Configuration
    let logger: Logger
    private let retention: String
    private let executor: CommandExecutor
    /// Streams this process has recorded in the index, and when: re-recorded after a minute, in
    /// case Redis lost its data.
    private let indexed = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Names this process's consumers.
    let consumerPrefix = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    /// Connects once to check the URL and the server; later losses are recovered from.
    public init(configuration: Configuration, logger: Logger = Logger(label: "ordinaut.events.redis")) throws(RedisError) {
        self.configuration = configuration
        self.logger = logger
        retention = String(configuration.retention)
        let probe = try RedisConnection(configuration.url)
        if case .error(let message) = try probe.command(["PING"]) { throw .reply(message) }
        executor = CommandExecutor(configuration: configuration, logger: logger, connection: probe)
    }

    /// Stops the publishing connection; subscriptions end when cancelled.
    public func close() {
        executor.stop()
    }

    // MARK: Publish and read

    public func publish(source: String, namespace: String, name: String, payload: JSONValue) async throws(EventBusError) -> Event {
        for (part, role) in [(source, "source"), (namespace, "namespace"), (name, "name")] {
            if let problem = StreamName.problem(with: part, as: role) { throw EventBusError(problem) }
        }
        let stream = StreamName(source: source, namespace: namespace, name: name).description
        var commands = [RESPCommand(["XADD", stream, "MAXLEN", "~", retention, "*",
                                     "source", source, "namespace", namespace, "name", name, "payload", payload.encodedString()])]
        let now = ContinuousClock.now
        let index = indexed.withLock { indexed in
            guard let last = indexed[stream], now - last < .seconds(60) else {
                indexed[stream] = now
                return true
            }
            return false
        }
        if index { commands.append(RESPCommand(["SADD", Self.streamIndex, stream])) }
        let replies = await executor.run(commands)
        if case .failure = replies, index { indexed.withLock { _ = $0.removeValue(forKey: stream) } }
        switch replies {
        case .failure(let error):
            throw EventBusError("publishing to \(stream) failed: \(error)")
        case .success(let values):
            guard let id = values.first?.text else {
                throw EventBusError("publishing to \(stream) failed: \(values.first.map { "\($0)" } ?? "no reply")")
            }
            return Event(id: id, source: source, namespace: namespace, name: name, payload: payload,
                         timestamp: Int64(id.split(separator: "-").first ?? "0") ?? 0)
        }
    }

    public func read(stream: StreamName, after: String?, limit: Int) async throws(EventBusError) -> [Event] {
        if let after, !Self.isEntryID(after) { throw EventBusError("\"\(after)\" is not an event id (<milliseconds>-<sequence>)") }
        let start = after.map { "(" + $0 } ?? "-"
        switch await executor.run([RESPCommand(["XRANGE", stream.description, start, "+", "COUNT", String(max(1, limit))])]) {
        case .failure(let error):
            throw EventBusError("reading \(stream) failed: \(error)")
        case .success(let values):
            if case .error(let message) = values[0] { throw EventBusError("reading \(stream) failed: \(message)") }
            return (values[0].array ?? []).compactMap { Self.event(stream: stream.description, entry: $0) }
        }
    }

    static func isEntryID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && UInt64($0) != nil }
    }

    /// Decodes one stream entry, `[id, [field, value, …]]`; `nil` for an entry not written by Ordinaut.
    static func event(stream: String, entry: RedisValue) -> Event? {
        guard let parts = entry.array, parts.count == 2, let id = parts[0].text, let fields = parts[1].array else { return nil }
        var values: [String: String] = [:]
        var index = 0
        while index + 1 < fields.count {
            if let key = fields[index].text, let value = fields[index + 1].text { values[key] = value }
            index += 2
        }
        guard let source = values["source"], let namespace = values["namespace"], let name = values["name"],
              let text = values["payload"], let payload = try? JSONParser().parse(text) else { return nil }
        return Event(id: id, source: source, namespace: namespace, name: name, payload: payload,
                     timestamp: Int64(id.split(separator: "-").first ?? "0") ?? 0)
    }

    // MARK: Subscribe

    public func subscribe(_ pattern: TopicPattern, subscriber: String, delivery: Delivery,
                          handler: @escaping EventHandler) async throws(EventBusError) -> EventSubscription {
        let connection: RedisConnection
        do {
            connection = try RedisConnection(configuration.url)
        } catch {
            throw EventBusError("subscribing to \(pattern) failed: \(error)")
        }
        let stopped = StopFlag()
        let subscription = EventSubscription(pattern: pattern, subscriber: subscriber) { stopped.stop() }
        let reader = StreamReader(bus: self, pattern: pattern, delivery: delivery, subscription: subscription,
                                  handler: handler, stopped: stopped, connection: connection)
        // Streams that exist now are read from now on; ones that appear later, from their start.
        do {
            try reader.discover(initial: true)
        } catch {
            throw EventBusError("subscribing to \(pattern) failed: \(error)")
        }
        let thread = Thread { reader.run() }
        thread.name = "ordinaut-redis-sub"
        thread.start()
        return subscription
    }
}

/// Runs commands for publish and read on one connection, on one thread, batching whatever is
/// queued into a single pipeline.
private final class CommandExecutor: Sendable {
    private struct Job {
        let commands: [RESPCommand]
        let done: @Sendable (Result<[RedisValue], RedisError>) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var running = true
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)

    init(configuration: RedisEventBus.Configuration, logger: Logger, connection: RedisConnection) {
        let box = ConnectionBox(connection)
        let thread = Thread { [self] in loop(configuration, logger, box) }
        thread.name = "ordinaut-redis"
        thread.start()
    }

    func stop() {
        queue.withLock { $0.running = false }
        wake.signal()
    }

    func run(_ commands: [RESPCommand]) async -> Result<[RedisValue], RedisError> {
        await withCheckedContinuation { continuation in
            let accepted = queue.withLock { queue -> Bool in
                guard queue.running else { return false }
                queue.jobs.append(Job(commands: commands) { continuation.resume(returning: $0) })
                return true
            }
            if accepted { wake.signal() } else { continuation.resume(returning: .failure(.connection("the event bus is closed"))) }
        }
    }

    private func loop(_ configuration: RedisEventBus.Configuration, _ logger: Logger, _ box: ConnectionBox) {
        var connection: RedisConnection? = box.connection
        while true {
            wake.wait()
            let (jobs, running) = queue.withLock { queue in
                defer { queue.jobs = [] }
                return (queue.jobs, queue.running)
            }
            guard running else {
                for job in jobs { job.done(.failure(.connection("the event bus is closed"))) }
                return
            }
            guard !jobs.isEmpty else { continue }
            // A lost connection gets three attempts, with backoff, before the batch fails.
            var outcome: Result<[RedisValue], RedisError> = .failure(.connection("not connected"))
            for attempt in 1...3 {
                do {
                    if connection == nil { connection = try RedisConnection(configuration.url) }
                    outcome = .success(try connection!.pipeline(jobs.flatMap(\.commands)))
                    break
                } catch {
                    connection = nil
                    outcome = .failure(error)
                    logger.warning("redis command failed; reconnecting", metadata: ["error": .string("\(error)"), "attempt": .stringConvertible(attempt)])
                    if attempt < 3 { Thread.sleep(forTimeInterval: Self.seconds(configuration.reconnect.delay(attempt: attempt))) }
                }
            }
            switch outcome {
            case .failure(let error):
                for job in jobs { job.done(.failure(error)) }
            case .success(let replies):
                var offset = 0
                for job in jobs {
                    job.done(.success(Array(replies[offset..<offset + job.commands.count])))
                    offset += job.commands.count
                }
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Hands a connection made on one thread to the thread that will own it.
private final class ConnectionBox: @unchecked Sendable {
    let connection: RedisConnection

    init(_ connection: RedisConnection) {
        self.connection = connection
    }
}

/// One subscription's reading loop, on its own thread and connection.
private final class StreamReader: @unchecked Sendable {
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
private final class StopFlag: Sendable {
    private let value = Mutex(false)

    func stop() { value.withLock { $0 = true } }

    var isStopped: Bool { value.withLock { $0 } }
}
