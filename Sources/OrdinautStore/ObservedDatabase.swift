import OrdinautCore

/// A database whose every statement is timed and reported with its kind (`StatementKind`), for
/// metrics. It wraps the real database at the one place statements execute, so that no statement's
/// text carries instrumentation.
public final class ObservedDatabase: SQLDatabase {
    public typealias Observer = @Sendable (_ kind: String, _ duration: Duration) -> Void

    public let base: any SQLDatabase
    private let observer: Observer

    public init(_ base: any SQLDatabase, observer: @escaping Observer) {
        self.base = base
        self.observer = observer
    }

    public var dialect: SQLDialect { base.dialect }
    public var location: String { base.location }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await base.transaction { [observer] connection throws(StoreError) in try body(ObservedConnection(connection, observer)) }
    }

    public func autocommit<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await base.autocommit { [observer] connection throws(StoreError) in try body(ObservedConnection(connection, observer)) }
    }

    public func listenForWork(_ doorbell: Doorbell) { base.listenForWork(doorbell) }
    public func close() async { await base.close() }
    public func probe() async throws(StoreError) { try await base.probe() }
    public var executor: (any TaskExecutor)? { base.executor }
}

/// One connection of an `ObservedDatabase`, used inside one transaction.
final class ObservedConnection: NotifyingConnection {
    private let base: any SQLConnection
    private let observer: ObservedDatabase.Observer

    init(_ base: any SQLConnection, _ observer: @escaping ObservedDatabase.Observer) {
        self.base = base
        self.observer = observer
    }

    func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        let began = ContinuousClock.now
        defer { observer(StatementKind.of(sql), ContinuousClock.now - began) }
        return try base.execute(sql, parameters)
    }

    /// Notifies where the real connection can (PostgreSQL); elsewhere every writer is this process.
    func notifyWork() throws(StoreError) {
        if let notifying = base as? any NotifyingConnection { try notifying.notifyWork() }
    }
}
