import OrdinautEvents
import OrdinautJMESPath
import OrdinautScheduler

/// The variables that bound what one client can make the server evaluate, store and keep
/// (the "Limits" table of docs/operations.md).
extension Configuration {
    mutating func readLimitSettings(_ environment: [String: String]) throws(ConfigurationError) {
        func bytes(_ name: String, _ target: inout Int, minimum: Int = 1024) throws(ConfigurationError) {
            if let value = environment[name] { target = try Self.integer(value, name, range: minimum...(1 << 40)) }
        }
        var limits = scheduler.limits
        if let value = environment["ORDINAUT_EVAL_MAX_STEPS"] {
            limits.evaluation.steps = try Self.integer(value, "ORDINAUT_EVAL_MAX_STEPS", range: 1000...1_000_000_000)
        }
        try bytes("ORDINAUT_EVAL_MAX_BYTES", &limits.evaluation.bytes)
        if let value = environment["ORDINAUT_EVAL_MAX_DEPTH"] {
            limits.evaluation.depth = try Self.integer(value, "ORDINAUT_EVAL_MAX_DEPTH", range: 4...120)
        }
        try bytes("ORDINAUT_MAX_STEP_OUTPUT_BYTES", &limits.stepOutputBytes)
        try bytes("ORDINAUT_MAX_RUN_OUTPUT_BYTES", &limits.runOutputBytes)
        if let value = environment["ORDINAUT_EVENT_MAX_DEPTH"] {
            limits.eventDepth = try Self.integer(value, "ORDINAUT_EVENT_MAX_DEPTH", range: 1...1000)
        }
        if let value = environment["ORDINAUT_EVENT_TASK_RATE_LIMIT"] {
            limits.eventRuns = try AccessSettings.limit(value, "ORDINAUT_EVENT_TASK_RATE_LIMIT")
        }
        scheduler.limits = limits

        if let value = environment["ORDINAUT_EVENTS_RETENTION"] {
            events.retention = try Self.integer(value, "ORDINAUT_EVENTS_RETENTION", range: 1...1_000_000)
        }
        try bytes("ORDINAUT_EVENTS_MAX_PAYLOAD_BYTES", &events.payloadBytes, minimum: 256)
        try bytes("ORDINAUT_EVENTS_STREAM_BYTES", &events.streamBytes)
        try bytes("ORDINAUT_EVENTS_TOTAL_BYTES", &events.totalBytes)
        if let value = environment["ORDINAUT_EVENTS_QUEUE_LIMIT"] {
            events.queueEvents = try Self.integer(value, "ORDINAUT_EVENTS_QUEUE_LIMIT", range: 1...10_000_000)
        }
        try bytes("ORDINAUT_EVENTS_QUEUE_BYTES", &events.queueBytes)
        try bytes("ORDINAUT_REPLAY_BUFFER_BYTES", &replayBufferBytes)
        if let value = environment["ORDINAUT_CHANGES_REPLAY"] {
            changesReplay = try Self.integer(value, "ORDINAUT_CHANGES_REPLAY", range: 0...1_000_000)
        }
        try bytes("ORDINAUT_CHANGES_REPLAY_BYTES", &changesReplayBytes)
        if let value = environment["ORDINAUT_CHANGES_QUEUE"] {
            changesQueue = try Self.integer(value, "ORDINAUT_CHANGES_QUEUE", range: 1...1_000_000)
        }
        if let value = environment["ORDINAUT_CHANGES_KEEPALIVE_SECONDS"] {
            changesKeepAliveSeconds = try Self.seconds(value, "ORDINAUT_CHANGES_KEEPALIVE_SECONDS")
        }
    }
}
