import Logging
import NIOCore
import NIOHTTP1
import OrdinautCore

/// Holds an HTTP/1 connection to the deadlines of `ConnectionDeadlines` and answers broken framing.
/// It sits right after NIO's request decoder, before Hummingbird's handlers, so it sees the first
/// request of a connection too (Hummingbird adds its own idle handler only once a first head has been
/// read, and leaves a parser error before that head unanswered).
///
/// - A parser error (bad `Content-Length`, both `Content-Length` and `Transfer-Encoding`, a bad chunk
///   size, TLS bytes on the plain port…) is answered 400 (431 for oversized headers) unless an answer
///   has begun, and the connection closes.
/// - A header or body deadline is answered 408 unless an answer has begun; an idle deadline closes
///   silently.
///
/// When the connection switches to WebSocket (a `101` answer goes out) the handler stops its timers,
/// lets everything through untouched (the upgrade may replay bytes before the flush returns) and
/// leaves the pipeline once the `101` is flushed. Removing itself inside `write` would drop the flush
/// of a `writeAndFlush`, and the `101` with it.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// How long a refused connection may keep sending before it is closed without waiting further:
    /// the answer goes out, the write side closes, and the rest of the request is read and dropped so
    /// that the client sees the answer rather than a reset.
    static let linger = TimeAmount.seconds(2)

    private var deadlines: ConnectionDeadlines
    private let limits: ConnectionLimits
    private let logger: Logger
    private var timer: Scheduled<Void>?
    /// When `timer` fires. A later deadline leaves it armed: it finds the deadline not yet due when
    /// it fires and arms itself again then, so a busy keep-alive connection schedules no timer per
    /// request.
    private var armedAt: Duration?
    /// Whether a request part was decoded since the last read completed: a read that decoded none
    /// carried part of a head.
    private var decodedSinceReadComplete = false
    private var isClosing = false
    /// A `101` went out: from here on the bytes are another protocol's.
    private var upgraded = false

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
        self.deadlines = ConnectionDeadlines(limits: limits, openedAt: Self.now())
    }

    func handlerAdded(context: ChannelHandlerContext) {
        rearm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        armedAt = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgraded else {
            context.fireChannelRead(data)
            return
        }
        guard !isClosing else { return }
        switch unwrapInboundIn(data) {
        case .head: deadlines.headReceived(at: Self.now())
        case .body: break
        case .end: deadlines.requestEnded()
        }
        decodedSinceReadComplete = true
        rearm(context)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !decodedSinceReadComplete, !upgraded {
            deadlines.bytesArrived(at: Self.now())
            rearm(context)
        }
        decodedSinceReadComplete = false
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !upgraded else {
            context.write(data, promise: promise)
            return
        }
        guard !isClosing else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .switchingProtocols:
            upgraded = true
            timer?.cancel()
            timer = nil
            armedAt = nil
        case .head(let head) where head.status.code < 200:
            break
        case .head:
            deadlines.answerBegan()
        case .body:
            break
        case .end:
            deadlines.answerEnded(at: Self.now())
            rearm(context)
        }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        if upgraded { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !upgraded else {
            context.fireErrorCaught(error)
            return
        }
        // Once refused, the decoder reports every further byte as an error; they are all dropped.
        guard !isClosing else { return }
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if case .headerOverflow = parserError {
            refuse(context, .requestHeaderFieldsTooLarge, "request_header_fields_too_large",
                   "the request's URL and headers exceed \(limits.maxHeaderBytes) bytes (ORDINAUT_HTTP_MAX_HEADER_BYTES)")
        } else {
            refuse(context, .badRequest, "bad_request", "the request is not valid HTTP/1.1: \(parserError)")
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if isClosing, !upgraded, let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Deadlines

    private func rearm(_ context: ChannelHandlerContext) {
        guard let next = deadlines.deadline else { return }
        if let armedAt, armedAt <= next.instant { return }
        timer?.cancel()
        armedAt = next.instant
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: Self.deadline(next.instant)) {
            self.expire(context)
        }
    }

    private func expire(_ context: ChannelHandlerContext) {
        timer = nil
        armedAt = nil
        guard !isClosing, let deadline = deadlines.deadline else { return }
        guard deadline.instant <= Self.now() else {
            rearm(context)
            return
        }
        switch deadline {
        case .header:
            refuse(context, .requestTimeout, "request_timeout",
                   "the request's head did not arrive within \(limits.headerTimeout) (ORDINAUT_HTTP_HEADER_TIMEOUT)")
        case .body:
            refuse(context, .requestTimeout, "request_timeout",
                   "the request's body did not arrive within \(limits.bodyTimeout) (ORDINAUT_HTTP_BODY_TIMEOUT)")
        case .idle:
            logger.trace("closing an idle HTTP connection")
            isClosing = true
            context.close(promise: nil)
        }
    }

    // MARK: Refusing

    /// Answers `status` if no answer has begun, closes the write side, and closes the connection when
    /// the client closes its side or after `linger`.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ error: String, _ message: String) {
        logger.debug("refusing an HTTP connection", metadata: [
            "status": "\(status.code)", "reason": "\(message)", "peer": "\(context.remoteAddress?.description ?? "?")",
        ])
        isClosing = true
        timer?.cancel()
        timer = nil
        armedAt = nil
        let channel = context.channel
        context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: Self.linger) { channel.close(promise: nil) }
        guard !deadlines.isAnswering else {
            context.close(promise: nil)
            return
        }
        let body = ByteBuffer(bytes: JSONValue.object(["error": .string(error), "message": .string(message)]).encoded())
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: [
            "Content-Type": "application/json", "Content-Length": "\(body.readableBytes)", "Connection": "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(mode: .output, promise: nil)
    }

    // MARK: Clock

    private static func now() -> Duration {
        .nanoseconds(Int64(clamping: NIODeadline.now().uptimeNanoseconds))
    }

    private static func deadline(_ instant: Duration) -> NIODeadline {
        let (seconds, attoseconds) = instant.components
        return .uptimeNanoseconds(UInt64(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}

@available(*, unavailable)
extension ConnectionGuardHandler: Sendable {}
