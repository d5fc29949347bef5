import Glibc
import Logging
import NIOCore

/// Watches the server's accept loop: counts the connections it accepts against the shared
/// `ConnectionBudget`, stops accepting while the budget is full, and holds a few descriptors in
/// reserve for when the process runs out of them anyway.
///
/// NIO's `AcceptBackoffHandler` delays the next `read` after `EMFILE`, but the failed `accept` leaves
/// the read pending, so the event loop keeps retrying it as fast as it can (a core at 100 % and
/// nobody served). And a process left without a single free descriptor dies: libdispatch's worker
/// monitor traps when it cannot open `/proc`. So on `EMFILE` the reserve is given back to the
/// process: the pending `accept` succeeds with one of them and that connection is answered 503 and
/// closed, the others stay free, and accepting pauses until the reserve can be taken again while
/// as many descriptors stay free.
final class AcceptGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never
    typealias OutboundOut = Never

    /// How often a missing reserve is tried again while nothing closes.
    static let reserveRetry = TimeAmount.seconds(1)
    /// Descriptors held back, and left free besides them when the reserve is taken again.
    static let reserveSize = 8

    private let budget: SharedConnectionBudget
    private let logger: Logger
    private var reserve: [CInt] = []
    /// A `read` was withheld and is owed once there is room again.
    private var paused = false
    private var retry: Scheduled<Void>?

    init(budget: SharedConnectionBudget, logger: Logger) {
        self.budget = budget
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        reserve = Self.open(Self.reserveSize) ?? []
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        retry?.cancel()
        Self.close(reserve)
        reserve = []
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        let usedReserve = reserve.isEmpty
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
        guard !reserve.isEmpty, !budget.update({ $0.isFull }) else {
            paused = true
            if reserve.isEmpty { scheduleReserveRetry(context) }
            return
        }
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.errnoCode == EMFILE || error.errnoCode == ENFILE, !reserve.isEmpty {
            logger.warning("out of file descriptors: refusing the next connection and pausing accepts", metadata: [
                "open_connections": "\(budget.update { $0.open })",
            ])
            Self.close(reserve)
            reserve = []
        }
        context.fireErrorCaught(error)
    }

    private func resumeIfPossible(_ context: ChannelHandlerContext) {
        if reserve.isEmpty { reserve = Self.retake() }
        guard paused, !reserve.isEmpty, !budget.update({ $0.isFull }) else { return }
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
            if self.paused, self.reserve.isEmpty { self.scheduleReserveRetry(context) }
        }
    }

    /// The reserve again, if twice its size can be opened: half is kept, half stays free.
    private static func retake() -> [CInt] {
        guard let descriptors = open(2 * reserveSize) else { return [] }
        close(Array(descriptors[reserveSize...]))
        return Array(descriptors[..<reserveSize])
    }

    /// `count` descriptors, or none if that many cannot be opened.
    private static func open(_ count: Int) -> [CInt]? {
        var descriptors: [CInt] = []
        for _ in 0..<count {
            let descriptor = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                close(descriptors)
                return nil
            }
            descriptors.append(descriptor)
        }
        return descriptors
    }

    private static func close(_ descriptors: [CInt]) {
        for descriptor in descriptors { _ = Glibc.close(descriptor) }
    }
}

@available(*, unavailable)
extension AcceptGate: Sendable {}
