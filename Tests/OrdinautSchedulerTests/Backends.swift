import Foundation
import OrdinautCore
import OrdinautPostgres
import OrdinautSQLite
import OrdinautStore
import OrdinautTesting
import Synchronization
import Testing

/// The two store backends every contract test runs on.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, migrated store (on `clock`, or real time when it is nil) with its own data: a temporary SQLite file, or a PostgreSQL schema
    /// on the shared test server. `schemaVersion` stops the migrations at an older version.
    func makeStore(clock: TestClock? = TestClock(), schemaVersion: Int = TaskStore.latestSchemaVersion) async throws -> TaskStore {
        let database: any SQLDatabase
        switch self {
        case .sqlite:
            database = try SQLiteDatabase(path: NSTemporaryDirectory() + "ordinaut-test-\(UUID().uuidString).db")
        case .postgres:
            let server = try PostgresTestServer.shared.get()
            let schema = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
            database = try PostgresDatabase(url: try server.url(schema: schema), poolSize: 4)
        }
        let now: @Sendable () -> Int64
        if let clock { now = { clock.now } } else { now = StoreCore.systemClock }
        let store = TaskStore(database: database, clock: now)
        try await store.migrate(upTo: schemaVersion)
        return store
    }
}

/// A clock the test moves by hand: milliseconds since 1970.
final class TestClock: Sendable {
    private let value: Mutex<Int64>

    init(_ start: Int64 = 1_735_689_600_000) {  // 2025-01-01T00:00:00Z
        value = Mutex(start)
    }

    var now: Int64 { value.withLock { $0 } }

    func advance(seconds: Double) {
        value.withLock { $0 += Int64(seconds * 1000) }
    }
}

func sampleTask(_ store: TaskStore, title: String = "sample", priority: Int = 5, kind: ScheduleKind = .once,
                expression: String? = "2025-01-01T00:00:00Z", concurrencyKey: String? = nil, dedupeKey: String? = nil,
                dedupeWindow: Int = 0, maxRetries: Int = 3, nextRunAt: Int64? = nil) -> TaskRecord {
    TaskRecord(
        id: UUIDv7.make(), title: title, createdBy: "tests", scheduleKind: kind, scheduleExpr: expression,
        payload: ["pipeline": [["uses": "echo", "with": ["text": "hi"]]]], priority: priority, dedupeKey: dedupeKey,
        dedupeWindowSeconds: dedupeWindow, maxRetries: maxRetries, concurrencyKey: concurrencyKey,
        createdAt: store.clock(), nextRunAt: nextRunAt)
}

/// A value shared between tasks of a test.
final class Box<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) {
        storage = Mutex(value)
    }

    var value: Value { storage.withLock { $0 } }

    func update(_ change: (inout Value) -> Void) {
        storage.withLock { change(&$0) }
    }
}
