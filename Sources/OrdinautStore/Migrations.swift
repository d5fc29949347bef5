import Foundation

/// The schema, as numbered migrations. A migration is applied once, in one transaction, and
/// recorded in `schema_migrations`; `ordinaut migrate` applies what is missing and every start does
/// the same. Statements are written once for both backends; `{serial}` is the dialect's
/// auto-incrementing key. What only one backend needs follows them, keyed by its dialect's name.
enum Migrations {
    struct Migration {
        let version: Int
        let summary: String
        let statements: [String]
        var dialectStatements: [String: [String]] = [:]

        func statements(for dialect: SQLDialect) -> [String] {
            (statements + dialectStatements[dialect.name, default: []])
                .map { $0.replacingOccurrences(of: "{serial}", with: dialect.serialPrimaryKey) }
        }
    }

    static let all: [Migration] = [
        Migration(version: 1, summary: "tasks, due work, runs, approvals, audit log", statements: [
            """
            CREATE TABLE tasks (
                id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT, created_by TEXT NOT NULL,
                schedule_kind TEXT NOT NULL, schedule_expr TEXT, timezone TEXT NOT NULL, payload TEXT NOT NULL,
                status TEXT NOT NULL, priority INTEGER NOT NULL, dedupe_key TEXT, dedupe_window_seconds INTEGER NOT NULL,
                max_retries INTEGER NOT NULL, backoff_strategy TEXT NOT NULL, concurrency_key TEXT,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, next_run_at BIGINT, dtstart BIGINT NOT NULL,
                snoozed_until BIGINT)
            """,
            // The scheduler reads only tasks that are due: its cost per tick does not grow with idle tasks.
            "CREATE INDEX tasks_next_run ON tasks (next_run_at) WHERE status = 'active' AND next_run_at IS NOT NULL",
            "CREATE INDEX tasks_listing ON tasks (created_at, id)",
            "CREATE INDEX tasks_triggered ON tasks (schedule_kind) WHERE status = 'active' AND schedule_kind IN ('event', 'condition')",
            """
            CREATE TABLE due_work (
                id {serial}, task_id TEXT NOT NULL, run_at BIGINT NOT NULL, priority INTEGER NOT NULL,
                attempt INTEGER NOT NULL, trigger_kind TEXT NOT NULL, context TEXT NOT NULL, concurrency_key TEXT,
                locked_by TEXT, locked_until BIGINT, run_id TEXT, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX due_work_claim ON due_work (priority DESC, run_at, id)",
            "CREATE INDEX due_work_task ON due_work (task_id)",
            """
            CREATE TABLE runs (
                id TEXT PRIMARY KEY, task_id TEXT NOT NULL, attempt INTEGER NOT NULL, trigger_kind TEXT NOT NULL,
                status TEXT NOT NULL, lease_owner TEXT, lease_expires_at BIGINT, created_at BIGINT NOT NULL,
                started_at BIGINT, finished_at BIGINT, error TEXT, output TEXT NOT NULL, context TEXT NOT NULL,
                takeovers INTEGER NOT NULL, due_id BIGINT)
            """,
            // Run ids are UUIDv7, so the primary key is also the creation order: listings need no index of their own.
            "CREATE INDEX runs_by_task ON runs (task_id, id)",
            "CREATE INDEX runs_by_status ON runs (status, id)",
            """
            CREATE TABLE approvals (
                run_id TEXT PRIMARY KEY, task_id TEXT NOT NULL, step_id TEXT NOT NULL, prompt TEXT NOT NULL,
                created_at BIGINT NOT NULL, answered_at BIGINT, approved INTEGER, answered_by TEXT, comment TEXT)
            """,
            "CREATE TABLE dedupe_keys (dedupe_key TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)",
            "CREATE TABLE concurrency_locks (lock_key TEXT PRIMARY KEY, due_id BIGINT NOT NULL, expires_at BIGINT NOT NULL)",
            "CREATE TABLE event_firings (task_id TEXT NOT NULL, event_id TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (task_id, event_id))",
            "CREATE TABLE leader_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)",
            "CREATE TABLE workers (id TEXT PRIMARY KEY, hostname TEXT NOT NULL, started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL)",
            """
            CREATE TABLE audit_log (
                id {serial}, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, task_id TEXT,
                run_id TEXT, details TEXT NOT NULL)
            """,
            "CREATE INDEX audit_by_task ON audit_log (task_id, id)",
        ]),
        Migration(version: 2, summary: "MCP tasks, and the first due item of each retry chain", statements: [
            "ALTER TABLE due_work ADD COLUMN root_id BIGINT",
            "ALTER TABLE runs ADD COLUMN root_due_id BIGINT",
            "CREATE INDEX runs_by_root ON runs (root_due_id, attempt)",
            """
            CREATE TABLE mcp_tasks (
                id TEXT PRIMARY KEY, owner TEXT, tool TEXT NOT NULL, root_due_id BIGINT, status TEXT NOT NULL,
                status_message TEXT, result TEXT, error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                ttl_ms BIGINT, cancelled_at BIGINT)
            """,
            "CREATE INDEX mcp_tasks_by_root ON mcp_tasks (root_due_id)",
            "CREATE INDEX mcp_tasks_by_owner ON mcp_tasks (owner, created_at)",
        ]),
        // Tokens are kept as the hex SHA-256 of the token, never in clear. `creator_scopes` is NULL for
        // tasks created before this migration: their runs keep every scope, as they had before.
        Migration(version: 3, summary: "agents, their tokens, and the scopes of a task's creator", statements: [
            """
            CREATE TABLE agents (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, disabled INTEGER NOT NULL,
                created_at BIGINT NOT NULL, created_by TEXT NOT NULL)
            """,
            """
            CREATE TABLE agent_tokens (
                id TEXT PRIMARY KEY, agent_id TEXT NOT NULL REFERENCES agents (id), token_sha256 TEXT NOT NULL UNIQUE,
                prefix TEXT NOT NULL, label TEXT, created_at BIGINT NOT NULL, expires_at BIGINT, last_used_at BIGINT,
                revoked_at BIGINT)
            """,
            "CREATE INDEX agent_tokens_by_agent ON agent_tokens (agent_id, id)",
            "ALTER TABLE tasks ADD COLUMN creator_scopes TEXT",
        ]),
        // Every listing filter reads an index that also gives the listing's order, so a filtered page
        // stops after `limit` rows; the overview's backlog and failure counts read only what they count.
        Migration(version: 4, summary: "indexes for filtered listings and the overview", statements: [
            "CREATE INDEX tasks_by_status ON tasks (status, created_at, id)",
            "CREATE INDEX tasks_by_kind ON tasks (schedule_kind, created_at, id)",
            "CREATE INDEX tasks_by_creator ON tasks (created_by, created_at, id)",
            "CREATE INDEX due_work_backlog ON due_work (run_at) WHERE locked_by IS NULL",
            "CREATE INDEX runs_by_finish ON runs (status, finished_at)",
        ]),
        // A W3C `traceparent`, 55 characters; NULL when tracing was off at creation.
        Migration(version: 5, summary: "the trace context a task was created in", statements: [
            "ALTER TABLE tasks ADD COLUMN trace_parent TEXT",
        ]),
        // A task stopped by errors: its own limit (NULL: the server's default), the dead runs in a row,
        // and why and by which run it was paused. Existing tasks start with no failures counted.
        Migration(version: 6, summary: "tasks stopped after consecutive failed runs", statements: [
            "ALTER TABLE tasks ADD COLUMN max_consecutive_failures INTEGER",
            "ALTER TABLE tasks ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE tasks ADD COLUMN paused_reason TEXT",
            "ALTER TABLE tasks ADD COLUMN stopped_by_run TEXT",
        ]),
        // Fewer pages written per run. The overview's failure count is the only reader of
        // `finished_at`: its index now holds failed and dead runs only, so a run that starts and
        // succeeds no longer moves it; `runs_by_status` leaves succeeded runs out (a success no longer
        // writes a second page of it; listing them reads the primary key, where most runs are).
        // SQLite's audit log drops AUTOINCREMENT, whose `sqlite_sequence` row was one more page in
        // every transaction that wrote an audit line: nothing deletes audit lines, so a new id (the
        // largest plus one) is still above every id given before.
        Migration(version: 7, summary: "fewer index pages written per run", statements: [
            "DROP INDEX runs_by_finish",
            "CREATE INDEX runs_failed ON runs (finished_at) WHERE status IN ('failed', 'dead')",
            "DROP INDEX runs_by_status",
            "CREATE INDEX runs_by_status ON runs (status, id) WHERE status <> 'succeeded'",
        ], dialectStatements: ["sqlite": [
            """
            CREATE TABLE audit_log_rebuilt (
                id INTEGER PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, task_id TEXT,
                run_id TEXT, details TEXT NOT NULL)
            """,
            "INSERT INTO audit_log_rebuilt SELECT id, at, actor, action, task_id, run_id, details FROM audit_log",
            "DROP TABLE audit_log",
            "ALTER TABLE audit_log_rebuilt RENAME TO audit_log",
            "CREATE INDEX audit_by_task ON audit_log (task_id, id)",
        ]]),
    ]

    static var latest: Int { all.last!.version }
}

extension TaskStore {
    /// Applies the migrations this database lacks, each in its own transaction; returns their versions.
    /// Concurrent callers (several nodes starting at once) apply each migration once.
    @discardableResult
    public func migrate() async throws(StoreError) -> [Int] {
        try await migrate(upTo: Migrations.latest)
    }

    /// Applies the missing migrations up to `version` only: for tests of an upgrade from an older schema.
    @discardableResult
    public func migrate(upTo version: Int) async throws(StoreError) -> [Int] {
        let dialect = database.dialect
        let now = clock()
        var applied: [Int] = []
        for migration in Migrations.all where migration.version <= version {
            let done = try await database.transaction { connection throws(StoreError) -> Bool in
                if dialect.name == "postgres" { try connection.execute("SELECT pg_advisory_xact_lock(7283529)") }
                try connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")
                if try !connection.execute("SELECT 1 FROM schema_migrations WHERE version = $1", .integer(Int64(migration.version))).isEmpty {
                    return false
                }
                for statement in migration.statements(for: dialect) {
                    try connection.execute(statement, [])
                }
                try connection.execute("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                                       .integer(Int64(migration.version)), .integer(now))
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    /// The highest applied migration, or 0 for an empty database.
    public func schemaVersion() async throws(StoreError) -> Int {
        try await database.transaction { connection throws(StoreError) -> Int in
            try connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")
            return try connection.execute("SELECT MAX(version) FROM schema_migrations").first?.int(0) ?? 0
        }
    }

    public static var latestSchemaVersion: Int { Migrations.latest }
}
