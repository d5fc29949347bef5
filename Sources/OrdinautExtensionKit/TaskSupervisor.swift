import Foundation
import Logging
import OrdinautCore
import Synchronization

/// Runs named background tasks for extensions and keeps them running: a task that throws is
/// restarted after an exponential backoff with jitter; one that returns is finished; one that is
/// stopped is cancelled. The extension host stops every task at shutdown, within a bound.
public final class TaskSupervisor: Sendable {
    public enum State: String, Sendable {
        case running, restarting, finished, stopped
    }

    /// One task as `/ext/status` shows it.
    public struct Status: Sendable, Equatable {
        public let owner: String
        public let name: String
        public var state: State
        public var restarts: Int
        public var lastError: String?
        public var startedAt: Date

        public var json: JSONValue {
            var object: JSONObject = [
                "name": .string(name), "state": .string(state.rawValue), "restarts": .integer(Int64(restarts)),
                "started_at": .string(ISO8601DateFormatter().string(from: startedAt)),
            ]
            if let lastError { object["last_error"] = .string(lastError) }
            return .object(object)
        }
    }

    private struct Key: Hashable {
        let owner: String
        let name: String
    }

    private struct Entry {
        var status: Status
        var task: Task<Void, Never>?
    }

    private let entries = Mutex([Key: Entry]())
    private let backoff: Backoff
    /// A run that lasted this long counts as healthy: the next failure starts the backoff afresh.
    private let healthyAfter: Duration
    private let logger: Logger

    public init(backoff: Backoff = Backoff(base: .milliseconds(500), cap: .seconds(30)), healthyAfter: Duration = .seconds(60),
                logger: Logger = Logger(label: "ordinaut.background")) {
        self.backoff = backoff
        self.healthyAfter = healthyAfter
        self.logger = logger
    }

    /// Starts `operation` as task `name` of `owner`. A name that is running already is refused.
    public func start(owner: String, name: String, _ operation: @escaping @Sendable () async throws -> Void) throws(SupervisorError) {
        guard !name.isEmpty, name.utf8.count <= 200 else { throw SupervisorError("a background task name must have 1 to 200 characters") }
        let key = Key(owner: owner, name: name)
        try entries.withLock { entries throws(SupervisorError) in
            if let existing = entries[key], existing.status.state == .running || existing.status.state == .restarting {
                throw SupervisorError("background task \"\(name)\" of \"\(owner)\" is already running")
            }
            entries[key] = Entry(status: Status(owner: owner, name: name, state: .running, restarts: 0, lastError: nil, startedAt: Date()))
            entries[key]!.task = Task { await self.supervise(key, operation) }
        }
    }

    private func supervise(_ key: Key, _ operation: @escaping @Sendable () async throws -> Void) async {
        var attempt = 0
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let began = clock.now
            do {
                try await operation()
                update(key) { $0.state = Task.isCancelled ? .stopped : .finished }
                return
            } catch {
                if Task.isCancelled { break }
                attempt = clock.now - began >= healthyAfter ? 1 : attempt + 1
                let wait = backoff.delay(attempt: attempt)
                logger.warning("background task failed; restarting", metadata: [
                    "extension": .string(key.owner), "task": .string(key.name), "error": .string("\(error)"),
                    "attempt": .stringConvertible(attempt), "delay_ms": .stringConvertible(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000),
                ])
                update(key) {
                    $0.state = .restarting
                    $0.restarts += 1
                    $0.lastError = "\(error)"
                }
                do { try await Task.sleep(for: wait) } catch { break }
                update(key) { $0.state = .running }
            }
        }
        update(key) { $0.state = .stopped }
    }

    private func update(_ key: Key, _ change: (inout Status) -> Void) {
        entries.withLock { entries in
            if entries[key] != nil { change(&entries[key]!.status) }
        }
    }

    /// Cancels task `name` of `owner` and waits for it to end.
    public func stop(owner: String, name: String) async {
        let task = entries.withLock { $0[Key(owner: owner, name: name)]?.task }
        task?.cancel()
        await task?.value
    }

    /// Cancels every task of `owner` (all owners when `nil`) and waits up to `limit` for them to end;
    /// returns the names still running after that.
    @discardableResult
    public func stopAll(owner: String? = nil, within limit: Duration) async -> [String] {
        let tasks = entries.withLock { entries in
            entries.filter { owner == nil || $0.key.owner == owner }.compactMap { entry in entry.value.task.map { (entry.key, $0) } }
        }
        for (_, task) in tasks { task.cancel() }
        var late: [String] = []
        await withTaskGroup(of: String?.self) { group in
            for (key, task) in tasks {
                group.addTask { await Self.ends(task, within: limit) ? nil : "\(key.owner)/\(key.name)" }
            }
            for await name in group { if let name { late.append(name) } }
        }
        return late.sorted()
    }

    /// Whether `task` ends within `limit`. A task still running then is abandoned, not awaited.
    private static func ends(_ task: Task<Void, Never>, within limit: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let settled = Mutex(false)
            let settle: @Sendable (Bool) -> Void = { ended in
                let first = settled.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: ended) }
            }
            Task {
                await task.value
                settle(true)
            }
            Task {
                try? await Task.sleep(for: limit)
                settle(false)
            }
        }
    }

    /// The tasks of `owner`, sorted by name.
    public func list(owner: String) -> [Status] {
        entries.withLock { $0.values.filter { $0.status.owner == owner }.map(\.status) }.sorted { $0.name < $1.name }
    }
}

/// Why the supervisor refused a task.
public struct SupervisorError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// An extension's background tasks (`BACKGROUND_TASKS`).
public struct BackgroundTasks: Sendable {
    public let extensionID: String
    private let supervisor: TaskSupervisor

    public init(extensionID: String, supervisor: TaskSupervisor) {
        self.extensionID = extensionID
        self.supervisor = supervisor
    }

    /// Starts `operation` under supervision; it is restarted with backoff whenever it throws.
    public func start(_ name: String, _ operation: @escaping @Sendable () async throws -> Void) throws(SupervisorError) {
        try supervisor.start(owner: extensionID, name: name, operation)
    }

    public func stop(_ name: String) async {
        await supervisor.stop(owner: extensionID, name: name)
    }

    public func list() -> [TaskSupervisor.Status] {
        supervisor.list(owner: extensionID)
    }
}
