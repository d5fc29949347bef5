import CHiredis
import Foundation
import OrdinautCore

/// A Redis reply (RESP2).
public enum RedisValue: Sendable, Equatable {
    case string([UInt8])
    case status(String)
    case error(String)
    case integer(Int64)
    case array([RedisValue])
    case null

    public var text: String? {
        switch self {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: return nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

/// Why a Redis command failed: the connection (`connection`) or Redis itself (`reply`).
public enum RedisError: Error, Sendable, CustomStringConvertible {
    case connection(String)
    case reply(String)

    public var description: String {
        switch self {
        case .connection(let detail): return "redis connection: \(detail)"
        case .reply(let detail): return "redis: \(detail)"
        }
    }
}

/// Where Redis is: `redis://[:password@]host[:port][/db]`.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var database: Int

    public init(_ text: String) throws(RedisError) {
        guard let components = URLComponents(string: text), components.scheme == "redis", let host = components.host, !host.isEmpty else {
            throw RedisError.connection("\(text) is not a redis://host:port URL")
        }
        self.host = host
        port = components.port ?? 6379
        user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else {
            throw RedisError.connection("\(text): the database must be a number, as in redis://host:6379/0")
        }
        self.database = database
    }
}

/// One blocking hiredis connection. Not thread-safe: each is owned by one dedicated thread, so
/// blocking calls never run on the Swift concurrency pool.
final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    let url: RedisURL

    init(_ url: RedisURL, timeout: Duration = .seconds(5)) throws(RedisError) {
        self.url = url
        guard ordinaut_hiredis_load() != 0 else { throw .connection(String(cString: ordinaut_hiredis_load_error())) }
        BrokenPipes.ignore()
        let seconds = timeout.components.seconds
        let micro = Int(timeout.components.attoseconds / 1_000_000_000_000)
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), timeval(tv_sec: Int(seconds), tv_usec: micro)) else {
            throw .connection("cannot allocate a connection")
        }
        self.context = context
        if context.pointee.err != 0 {
            let message = withUnsafeBytes(of: context.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            redisFree(context)
            self.context = nil
            throw .connection("\(url.host):\(url.port): \(message)")
        }
        if let password = url.password, case .error(let message) = try command(["AUTH"] + (url.user.map { [$0] } ?? []) + [password]) {
            throw .connection("AUTH failed: \(message)")
        }
        if url.database != 0, case .error(let message) = try command(["SELECT", String(url.database)]) {
            throw .connection("SELECT \(url.database) failed: \(message)")
        }
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// Sets how long a blocking read may wait before failing (for `BLOCK` commands, longer than the block).
    func setTimeout(_ timeout: Duration) {
        guard let context else { return }
        redisSetTimeout(context, timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000)))
    }

    func command(_ arguments: [String]) throws(RedisError) -> RedisValue {
        try pipeline([RESPCommand(arguments)])[0]
    }

    /// Sends every command, then reads every reply: one round trip for the lot.
    func pipeline(_ commands: [RESPCommand]) throws(RedisError) -> [RedisValue] {
        guard let context else { throw .connection("closed") }
        for command in commands {
            let status = command.bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { redisAppendFormattedCommand(context, $0.baseAddress, $0.count) }
            }
            guard status == REDIS_OK else { throw failure() }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw failure() }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.convert(reply))
            freeReplyObject(raw)
        }
        return replies
    }

    private func failure() -> RedisError {
        guard let context else { return .connection("closed") }
        let message = withUnsafeBytes(of: context.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let error = RedisError.connection(message.isEmpty ? "I/O error" : message)
        redisFree(context)
        self.context = nil
        return error
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .string(value.str.map { Array(UnsafeRawBufferPointer(start: $0, count: value.len)) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(value.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: value.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(value.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: value.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(value.integer)
        case REDIS_REPLY_ARRAY:
            return .array((0..<value.elements).map { convert(value.element[$0]!) })
        default:
            return .null
        }
    }
}

/// One command in the Redis wire format (RESP), encoded by whoever issues it, so that the thread
/// owning the connection only writes bytes.
struct RESPCommand: Sendable {
    let bytes: [UInt8]

    init(_ arguments: [String]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.utf8.count + 16 })
        Self.appendLength(UInt8(ascii: "*"), arguments.count, to: &bytes)
        for argument in arguments {
            Self.appendLength(UInt8(ascii: "$"), argument.utf8.count, to: &bytes)
            bytes.append(contentsOf: argument.utf8)
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
        self.bytes = bytes
    }

    private static func appendLength(_ marker: UInt8, _ value: Int, to bytes: inout [UInt8]) {
        bytes.append(marker)
        bytes.append(contentsOf: String(value).utf8)
        bytes.append(contentsOf: [0x0D, 0x0A])
    }
}
