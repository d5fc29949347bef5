import OrdinautExtensionKit

/// Every metric family of the host, in one place: names, help texts and kinds. Labels are few by
/// construction (methods, routes, tools, outcomes, triggers, statuses, node and extension ids);
/// never a task or run id. docs/operations.md lists them.
enum Families {
    private static func counter(_ name: String, _ help: String) -> MetricFamily { MetricFamily("ordinaut_" + name, help: help, kind: .counter) }
    private static func gauge(_ name: String, _ help: String) -> MetricFamily { MetricFamily("ordinaut_" + name, help: help, kind: .gauge) }
    private static func latency(_ name: String, _ help: String) -> MetricFamily {
        MetricFamily("ordinaut_" + name, help: help, kind: .histogram(buckets: MetricFamily.latencyBuckets))
    }
    private static func work(_ name: String, _ help: String) -> MetricFamily {
        MetricFamily("ordinaut_" + name, help: help, kind: .histogram(buckets: MetricFamily.workBuckets))
    }

    static let buildInfo = gauge("build_info", "Always 1; labelled with the version and the commit this binary was built from.")

    // MCP, HTTP, tools, access
    static let mcpRequests = counter("mcp_requests_total", "MCP requests answered, by method and outcome.")
    static let mcpDuration = latency("mcp_request_duration_seconds", "Time to answer MCP requests, by method.")
    static let toolCalls = counter("tool_calls_total", "Tool calls, by tool and outcome (success, error, input_required, failed).")
    static let toolDuration = latency("tool_call_duration_seconds", "Time tool calls took, by tool.")
    static let httpRequests = counter("http_requests_total", "HTTP requests, by method, route pattern and status.")
    static let httpDuration = latency("http_request_duration_seconds", "Time to answer HTTP requests, by method and route pattern.")
    static let rateLimited = counter("rate_limited_total", "Requests and tool calls refused by a rate limit, by surface (http, tools).")
    static let accessDenied = counter("access_denied_total", "Requests refused by the access layer, by reason (missing, invalid, unavailable, forbidden).")

    // Extensions
    static let extensionState = gauge("extension_state", "1 for the state each extension is in, 0 for the others.")
    static let extensionRequests = counter("extension_requests_total", "HTTP requests served by each extension's routes.")
    static let extensionErrors = counter("extension_request_errors_total", "Requests to each extension's routes that failed with a 5xx.")
    static let extensionRestarts = counter("extension_restarts_total", "Times each subprocess extension's program was restarted after it exited.")

    // Scheduler
    static let runsStarted = counter("runs_started_total", "Runs this process started, by trigger (schedule, manual, event, retry).")
    static let runsFinished = counter("runs_finished_total", "Runs this process executed that ended, by outcome (succeeded, retrying, dead, waiting).")
    static let retries = counter("run_retries_total", "Failed runs this process scheduled to be tried again.")
    static let deadLetters = counter("dead_letters_total", "Runs this process recorded as dead: failed with no retry left (each also publishes ordinaut.run.dead).")
    static let tasksStopped = counter("tasks_stopped_total", "Tasks this process paused because their runs ended dead max_consecutive_failures times in a row (each also publishes ordinaut.task.stopped).")
    static let runDuration = work("run_duration_seconds", "Time runs took from their start, by outcome.")
    static let stepDuration = work("step_duration_seconds", "Time pipeline steps took, by tool and outcome (succeeded, failed, skipped).")
    static let queueLatency = work("run_queue_latency_seconds", "Time from when due work became due (enqueued, scheduled or retry time) to its start, by trigger.")
    static let leaseRenewals = counter("lease_renewals_total", "Lease renewals of running runs, by outcome (renewed, lost).")
    static let leaseTakeovers = counter("lease_takeovers_total", "Runs this process took over from a worker whose lease expired.")
    static let leader = gauge("scheduler_leader", "1 while this node (label node) produces scheduled work, else 0.")
    static let workersBusy = gauge("workers_busy", "Runs this process executes now.")
    static let workersCapacity = gauge("workers_capacity", "Runs this process may execute at once (ORDINAUT_WORKERS).")
    static let workersAlive = gauge("workers_alive", "Scheduler processes sharing the database whose heartbeat is under 30 s old.")
    static let tasks = gauge("tasks", "Tasks in the database, by status (active, paused, canceled).")
    static let dueBacklog = gauge("due_backlog", "Due work whose time came and that no worker holds.")
    static let dueOldestAge = gauge("due_oldest_age_seconds", "How long the oldest unheld due work has been due.")
    static let approvalsWaiting = gauge("approvals_waiting", "Runs parked at an approval step that nobody answered yet.")
    static let triggersRefused = counter("event_triggers_refused_total", "Events that did not start a run of an event or condition task, by reason (depth, rate, condition).")
    static let statementDuration = latency("store_statement_duration_seconds", "Time store statements took, by kind (verb and first table).")

    // Events
    static let eventsPublished = counter("events_published_total", "Events published on the bus by this process, by source (ordinaut or an extension id).")
    static let eventsDelivered = counter("events_delivered_total", "Events handed to this process's subscribers, by outcome (ok, failed).")
    static let eventLag = work("event_delivery_lag_seconds", "Time from an event's publication to its delivery to a subscriber of this process.")
    static let eventsDropped = counter("events_dropped_total", "Events dropped because a subscriber's queue was full.")

    // Process
    static let processCPU = MetricFamily("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", kind: .counter)
    static let processResident = MetricFamily("process_resident_memory_bytes", help: "Resident memory size in bytes.", kind: .gauge)
    static let processVirtual = MetricFamily("process_virtual_memory_bytes", help: "Virtual memory size in bytes.", kind: .gauge)
    static let processStart = MetricFamily("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", kind: .gauge)
    static let processOpenFDs = MetricFamily("process_open_fds", help: "Number of open file descriptors.", kind: .gauge)
    static let processMaxFDs = MetricFamily("process_max_fds", help: "Maximum number of open file descriptors.", kind: .gauge)
    static let processThreads = MetricFamily("process_threads", help: "Number of OS threads in the process.", kind: .gauge)
}
