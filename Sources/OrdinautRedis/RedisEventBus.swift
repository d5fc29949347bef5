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
        /// Largest payload an event may carry (`ORDINAUT_EVENTS_MAX_PAYLOAD_BYTES`); the rest of
        /// `EventLimits` is Redis's to keep (`maxmemory`).
        public var payloadBytes = EventLimits().payloadBytes
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

    public func publish(source: String, namespace: String, name: String, payload: JSONValue,
                        causation: Causation?) async throws(EventBusError) -> Event {
        for (part, role) in [(source, "source"), (namespace, "namespace"), (name, "name")] {
            if let problem = StreamName.problem(with: part, as: role) { throw EventBusError(problem, isInvalidInput: true) }
        }
        var limits = EventLimits()
        limits.payloadBytes = configuration.payloadBytes
        _ = try limits.size(of: payload)
        let stream = StreamName(source: source, namespace: namespace, name: name).description
        var fields = ["XADD", stream, "MAXLEN", "~", retention, "*", "source", source, "namespace", namespace, "name", name,
                      "payload", payload.encodedString()]
        if let causation { fields += ["causation", causation.json.encodedString()] }
        var commands = [RESPCommand(fields)]
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
                         timestamp: Int64(id.split(separator: "-").first ?? "0") ?? 0, causation: causation)
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
        let causation = values["causation"].flatMap { try? JSONParser().parse($0) }.flatMap { Causation(json: $0) }
        return Event(id: id, source: source, namespace: namespace, name: name, payload: payload,
                     timestamp: Int64(id.split(separator: "-").first ?? "0") ?? 0, causation: causation)
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
