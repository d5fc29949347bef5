import NIOCore
import OrdinautCore

/// Encodes Server-Sent Events (`text/event-stream`).
enum ServerSentEvents {
    static func event(_ message: JSONValue, id: String? = nil, name: String = "message") -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        if let id { bytes += Array("id: \(id)\n".utf8) }
        bytes += Array("event: \(name)\ndata: ".utf8)
        message.encode(into: &bytes)
        bytes += [0x0A, 0x0A]
        return ByteBuffer(bytes: bytes)
    }

    static func raw(event name: String, data: String) -> ByteBuffer {
        ByteBuffer(string: "event: \(name)\ndata: \(data)\n\n")
    }

    static let keepAlive = ByteBuffer(string: ": keep-alive\n\n")

    /// Sent first on a resumable stream: an id the client can resume from, and a retry hint.
    static func priming(id: String) -> ByteBuffer {
        ByteBuffer(string: "id: \(id)\nretry: 1000\ndata: \n\n")
    }
}
