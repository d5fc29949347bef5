import Hummingbird
import NIOCore
import OrdinautCore
import ServiceLifecycle

/// Server-Sent Events for extension routes: each element becomes `id:` and a JSON `data:` line.
public enum EventStreamResponse {
    public struct Item: Sendable {
        public let id: String?
        public let data: JSONValue

        public init(id: String?, data: JSONValue) {
            self.id = id
            self.data = data
        }
    }

    private enum Step: Sendable {
        case item(Item)
        case tick
    }

    /// A `text/event-stream` response fed by `source`. It sends a keep-alive comment when idle and
    /// ends when the source finishes, the client goes away, or the server shuts down; `onEnd` runs then.
    public static func make(_ source: AsyncStream<Item>, keepAlive: Duration = .seconds(15),
                            onEnd: @escaping @Sendable () -> Void = {}) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let (steps, continuation) = AsyncStream.makeStream(of: Step.self, bufferingPolicy: .unbounded)
            let feeder = Task {
                for await item in source { continuation.yield(.item(item)) }
                continuation.finish()
            }
            let ticker = Task {
                while (try? await Task.sleep(for: keepAlive)) != nil { continuation.yield(.tick) }
            }
            await withGracefulShutdownHandler {
                for await step in steps {
                    let bytes: ByteBuffer
                    switch step {
                    case .tick: bytes = ByteBuffer(string: ": keep-alive\n\n")
                    case .item(let item): bytes = encode(item)
                    }
                    do { try await writer.write(bytes) } catch { break }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            feeder.cancel()
            ticker.cancel()
            onEnd()
            try? await writer.finish(nil)
        })
    }

    static func encode(_ item: Item) -> ByteBuffer {
        var bytes: [UInt8] = []
        if let id = item.id { bytes += Array("id: \(id)\n".utf8) }
        bytes += Array("data: ".utf8)
        item.data.encode(into: &bytes)
        bytes += [0x0A, 0x0A]
        return ByteBuffer(bytes: bytes)
    }
}
