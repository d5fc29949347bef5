#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore

/// Watches the server's accept loop: counts the connections it accepts against the shared
/// `ConnectionBudget`, stops accepting while the budget is full, and keeps one descriptor in reserve
/// for when the process runs out of them anyway.
///
/// NIO's `AcceptBackoffHandler` delays the next `read` after `EMFILE`, but the failed `accept` leaves
/// the read pending, so the event loop keeps retrying it as fast as it can (a core at 100 % and
/// nobody served). Giving up the reserve descriptor lets that pending `accept` succeed; the
/// connection it yields is answered 503 and closed, accepting pauses until the reserve is back, and
/// the loop rests.
final class AcceptGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never
    typealias OutboundOut = Never

    /// How often a missing reserve descriptor is tried again while nothing closes.
    static let reserveRetry = TimeAmount.seconds(1)

    private let budget: SharedConnectionBudget
    private let logger: Logger
    private var reserve: CInt?
    /// A `read` was withheld and is owed once there is room again.
    private var paused = false
    private var retry: Scheduled<Void>?

    init(budget: SharedConnectionBudget, logger: Logger) {
        self.budget = budget
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        reserve = Self.openReserve()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        retry?.cancel()
        if let reserve { Self.closeReserve(reserve) }
        reserve = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        let usedReserve = reserve == nil
        budget.update { budget in
            budget.accepted()
            if usedReserve { budget.refuseNext() }
        }
        child.closeFuture.hop(to: context.eventLoop).assumeIsolatedUnsafeUnchecked().whenComplete { _ in
            self.budget.update { $0.closed() }
            self.resumeIfPossible(context)
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard reserve != nil, !budget.update({ $0.isFull }) else {
            paused = true
            if reserve == nil { scheduleReserveRetry(context) }
            return
        }
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.errnoCode == EMFILE || error.errnoCode == ENFILE, let descriptor = reserve {
            logger.warning("out of file descriptors: refusing the next connection and pausing accepts", metadata: [
                "open_connections": "\(budget.update { $0.open })",
            ])
            Self.closeReserve(descriptor)
            reserve = nil
        }
        context.fireErrorCaught(error)
    }

    private func resumeIfPossible(_ context: ChannelHandlerContext) {
        if reserve == nil { reserve = Self.openReserve() }
        guard paused, reserve != nil, !budget.update({ $0.isFull }) else { return }
        paused = false
        retry?.cancel()
        retry = nil
        context.read()
    }

    private func scheduleReserveRetry(_ context: ChannelHandlerContext) {
        guard retry == nil else { return }
        retry = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: Self.reserveRetry) {
            self.retry = nil
            self.resumeIfPossible(context)
            if self.paused, self.reserve == nil { self.scheduleReserveRetry(context) }
        }
    }

    private static func openReserve() -> CInt? {
        let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
        return descriptor >= 0 ? descriptor : nil
    }

    private static func closeReserve(_ descriptor: CInt) {
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
    }
}

@available(*, unavailable)
extension AcceptGate: Sendable {}
