import ArgumentParser
import Foundation
import Ordinaut
import OrdinautCore
import OrdinautExtensionHost
import OrdinautMCP
import OrdinautStore

/// `ordinaut task …` and `ordinaut runs …`: the scheduler's MCP tools, called in process against the
/// configured database (a running server on the same database picks the changes up).
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Create, list and manage scheduled tasks in the configured database.",
        discussion: """
        Examples:
          ordinaut task create --file examples/tasks/morning-briefing.json
          ordinaut task create --title "Ping" --schedule-kind cron --schedule-expr "*/5 * * * *" \\
            --payload '{"pipeline": [{"uses": "ext.events_demo.publish", "with": {"name": "ping", "payload": {}}}]}'
          ordinaut task list --status active
          ordinaut task run-now 3f2a… --wait
        """,
        subcommands: [Create.self, List.self, Get.self, Pause.self, Resume.self, RunNow.self, Snooze.self, Cancel.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a task from a JSON file or object, and/or flags (flags win).")

        @OptionGroup var common: CommonOptions
        @Option(help: "A JSON file with the task's fields (the REST API's POST /tasks body); - reads stdin.") var file: String?
        @Option(help: "The task's fields as a JSON object.") var json: String?
        @Option var title: String?
        @Option(help: "cron, rrule, once, event or condition.") var scheduleKind: String?
        @Option var scheduleExpr: String?
        @Option(help: "IANA time zone (default UTC).") var timezone: String?
        @Option(help: "The payload, a JSON object {\"pipeline\": [...], \"params\": {...}}.") var payload: String?
        @Option(help: "1–9; 9 runs first.") var priority: Int?
        @Option var maxRetries: Int?
        @Option(help: "Pause the task after this many runs in a row fail for good (1–10000; default: the server's).") var maxConsecutiveFailures: Int?

        func run() async throws {
            var fields: JSONObject = [:]
            if let file {
                let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
                fields = try jsonObject(String(decoding: data, as: UTF8.self), what: file)
            }
            if let json { for (key, value) in try jsonObject(json, what: "--json") { fields[key] = value } }
            if let title { fields["title"] = .string(title) }
            if let scheduleKind { fields["schedule_kind"] = .string(scheduleKind) }
            if let scheduleExpr { fields["schedule_expr"] = .string(scheduleExpr) }
            if let timezone { fields["timezone"] = .string(timezone) }
            if let payload { fields["payload"] = .object(try jsonObject(payload, what: "--payload")) }
            if let priority { fields["priority"] = .integer(Int64(priority)) }
            if let maxRetries { fields["max_retries"] = .integer(Int64(maxRetries)) }
            if let maxConsecutiveFailures { fields["max_consecutive_failures"] = .integer(Int64(maxConsecutiveFailures)) }
            print(try await callTaskTool(common, "task_create", fields).encodedString())
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tasks: id, status, kind, next run, title.")

        @OptionGroup var common: CommonOptions
        @Option(help: "active, paused or canceled.") var status: String?
        @Option var limit = 50
        @Option var offset = 0
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            var arguments: JSONObject = ["limit": .integer(Int64(limit)), "offset": .integer(Int64(offset))]
            if let status { arguments["status"] = .string(status) }
            let result = try await callTaskTool(common, "task_list", arguments)
            if json { return print(result.encodedString()) }
            for task in result["items"]?.arrayValue ?? [] {
                print([task["id"], task["status"], task["schedule_kind"], task["next_run_at"], task["title"]]
                    .map { $0?.stringValue ?? "-" }.joined(separator: "\t"))
            }
            if result["has_more"] == true { print("… more: --offset \(offset + limit)") }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a task and its latest runs as JSON.")
        @OptionGroup var common: CommonOptions
        @Argument var id: String

        func run() async throws { print(try await callTaskTool(common, "task_get", ["id": .string(id)]).encodedString()) }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a task: it produces no work until resumed.")
        @OptionGroup var common: CommonOptions
        @Argument var id: String

        func run() async throws { print(try await callTaskTool(common, "task_pause", ["id": .string(id)]).encodedString()) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused task; its next run is computed from now.")
        @OptionGroup var common: CommonOptions
        @Argument var id: String

        func run() async throws { print(try await callTaskTool(common, "task_resume", ["id": .string(id)]).encodedString()) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a task for good.")
        @OptionGroup var common: CommonOptions
        @Argument var id: String

        func run() async throws { print(try await callTaskTool(common, "task_cancel", ["id": .string(id)]).encodedString()) }
    }

    struct Snooze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "snooze", abstract: "Postpone a task's scheduled work by SECONDS (1–604800).")
        @OptionGroup var common: CommonOptions
        @Argument var id: String
        @Argument var seconds: Int

        func run() async throws {
            print(try await callTaskTool(common, "task_snooze", ["id": .string(id), "seconds": .integer(Int64(seconds))]).encodedString())
        }
    }

    struct RunNow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-now",
            abstract: "Queue a run now. With --wait, print the run once a server's worker has run it.")
        @OptionGroup var common: CommonOptions
        @Argument var id: String
        @Flag(help: "Wait for the run to end (a server on the same database runs it).") var wait = false
        @Option(help: "Seconds to wait at most.") var timeout = 60.0

        func run() async throws {
            var arguments: JSONObject = ["id": .string(id)]
            if wait {
                arguments["wait"] = true
                arguments["timeout_seconds"] = .number(timeout)
            }
            print(try await callTaskTool(common, "task_run_now", arguments).encodedString())
        }
    }
}

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List and inspect runs; answer approvals.",
        subcommands: [List.self, Get.self, Approve.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first: id, status, attempt, task, finished, error.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Only the runs of this task.") var task: String?
        @Option(help: "running, succeeded, failed, dead, waiting or canceled.") var status: String?
        @Option var limit = 50
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            var arguments: JSONObject = ["limit": .integer(Int64(limit))]
            if let task { arguments["task_id"] = .string(task) }
            if let status { arguments["status"] = .string(status) }
            let result = try await callTaskTool(common, "run_list", arguments)
            if json { return print(result.encodedString()) }
            for run in result["items"]?.arrayValue ?? [] {
                print([run["id"]?.stringValue, run["status"]?.stringValue, run["attempt"]?.integerValue.map(String.init),
                       run["task_id"]?.stringValue, run["finished_at"]?.stringValue, run["error"]?.stringValue.map { String($0.prefix(80)) }]
                    .map { $0 ?? "-" }.joined(separator: "\t"))
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a run with every step's input, output and error, as JSON.")
        @OptionGroup var common: CommonOptions
        @Argument var id: String

        func run() async throws { print(try await callTaskTool(common, "run_get", ["id": .string(id)]).encodedString()) }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "approve", abstract: "Answer the approval a run waits for (--reject to end it).")
        @OptionGroup var common: CommonOptions
        @Argument var id: String
        @Flag(help: "Reject instead of approving.") var reject = false
        @Option var comment: String?

        func run() async throws {
            var arguments: JSONObject = ["id": .string(id), "approved": .bool(!reject)]
            if let comment { arguments["comment"] = .string(comment) }
            print(try await callTaskTool(common, "run_approve", arguments).encodedString())
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database migrations this database lacks (every start does it too).",
        discussion: "Uses ORDINAUT_DATABASE_URL, else the SQLite file in ORDINAUT_DATA_DIR."
    )
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try common.configuration()
        let store = try await openTaskStore(configuration: configuration, migrate: false)
        let applied = try await store.migrate()
        let version = try await store.schemaVersion()
        print(applied.isEmpty ? "\(store.database.location): up to date at version \(version)"
              : "\(store.database.location): applied \(applied.map(String.init).joined(separator: ", ")); now at version \(version)")
        await store.database.close()
    }
}

private func jsonObject(_ text: String, what: String) throws -> JSONObject {
    let value: JSONValue
    do {
        value = try JSONParser().parse(text)
    } catch {
        throw CommandFailure(description: "\(what) is not valid JSON: \(error)")
    }
    guard let object = value.objectValue else { throw CommandFailure(description: "\(what) must be a JSON object") }
    return object
}

/// Calls one of the scheduler's tools in process; a tool error becomes the command's error (exit 1).
private func callTaskTool(_ common: CommonOptions, _ name: String, _ arguments: JSONObject) async throws -> JSONValue {
    let result = try await withLocalEngine(common) { try await callTool($0, name, arguments: arguments) }
    if result.isError {
        let message = result.content.compactMap(\.plainText).joined(separator: "\n")
        throw CommandFailure(description: message.isEmpty ? "failed" : message)
    }
    return result.structuredContent ?? .null
}
