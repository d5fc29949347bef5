import NIOCore
import OrdinautCore

/// Answers a connection the server has no room for with 503 before it has read a byte of it: the
/// answer goes out, the write side closes, whatever the client sends is dropped, and the connection
/// closes when the client closes its side or after `linger`.
final class ConnectionRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// Shorter than a malformed request's: refusals come in crowds, and each holds a descriptor of
    /// the reserve while it lingers.
    static let linger = TimeAmount.milliseconds(500)

    private let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let body = JSONValue.object([
            "error": "unavailable",
            "message": .string("the server holds its limit of \(maxConnections) connections (ORDINAUT_HTTP_MAX_CONNECTIONS); retry shortly"),
        ]).encoded()
        var answer = context.channel.allocator.buffer(capacity: 160 + body.count)
        answer.writeString("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n")
        answer.writeString("Content-Length: \(body.count)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
        answer.writeBytes(body)
        context.writeAndFlush(NIOAny(answer), promise: nil)
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: Self.linger) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionRefusalHandler: Sendable {}
