import Foundation
import Glibc
import Logging
import OrdinautCore

/// `ORDINAUT_LOG_FORMAT=json`: one JSON object a line on stderr, for log shippers. Fields, in order:
/// `time` (RFC 3339, UTC, milliseconds), `level`, `logger` (the label), `message`, `source` (the
/// module), then every metadata key (`component`, `trace_id`, `span_id`, …) as a string, and `error`
/// when the call gave one. Metadata never replaces the fixed fields.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable ([UInt8]) -> Void

    /// A handler writing to stderr.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider) { line in
            // One write call a line: lines up to PIPE_BUF bytes never interleave with other writers.
            line.withUnsafeBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }

    /// A handler writing each line (newline included) through `write`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line: JSONObject = [
            "time": .string(Self.timestamp(Date())),
            "level": .string(event.level.rawValue),
            "logger": .string(label),
            "message": .string(event.message.description),
            "source": .string(event.source),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let given = event.metadata { merged.merge(given) { _, new in new } }
        for key in merged.keys.sorted() where line[key] == nil {
            line[key] = .string(merged[key]!.description)
        }
        if let error = event.error, line["error"] == nil { line["error"] = .string(String(describing: error)) }
        var bytes = JSONValue.object(line).encoded()
        bytes.append(UInt8(ascii: "\n"))
        write(bytes)
    }

    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var time = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        let fraction = Int(milliseconds % 1000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }
}
