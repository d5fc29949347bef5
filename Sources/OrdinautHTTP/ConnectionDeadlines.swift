/// Which deadline an HTTP/1 connection is under, from what has been read and written on it: the pure
/// state machine behind `ConnectionGuardHandler`. Instants are durations since any fixed origin (the
/// server uses the event loop's uptime clock).
///
/// - While a request's head is arriving (bytes came, the head is not complete): the header deadline,
///   counted from the first byte.
/// - While its body is arriving: the body deadline, counted from the end of the head.
/// - While an answer is owed or being written: none, so that streams and long polls live as long as
///   they need to.
/// - Otherwise (nothing owed, nothing arriving): the idle deadline, counted from the end of the last
///   answer or the opening of the connection.
struct ConnectionDeadlines: Sendable, Equatable {
    typealias Instant = Duration

    /// The deadline that applies now.
    enum Deadline: Equatable, Sendable {
        case header(Instant)
        case body(Instant)
        case idle(Instant)

        var instant: Instant {
            switch self {
            case .header(let instant), .body(let instant), .idle(let instant): instant
            }
        }
    }

    private let limits: ConnectionLimits
    private var idleSince: Instant
    private var headStartedAt: Instant?
    private var bodyStartedAt: Instant?
    /// Request heads received minus answers finished.
    private var owed = 0
    /// An answer's head went out and its end has not.
    private(set) var isAnswering = false

    init(limits: ConnectionLimits, openedAt: Instant) {
        self.limits = limits
        self.idleSince = openedAt
    }

    /// Bytes arrived that did not complete a request head: a head has begun if none was under way.
    mutating func bytesArrived(at now: Instant) {
        if owed == 0, bodyStartedAt == nil, headStartedAt == nil { headStartedAt = now }
    }

    mutating func headReceived(at now: Instant) {
        headStartedAt = nil
        bodyStartedAt = now
        owed += 1
    }

    mutating func requestEnded() {
        bodyStartedAt = nil
    }

    mutating func answerBegan() {
        isAnswering = true
    }

    mutating func answerEnded(at now: Instant) {
        isAnswering = false
        owed = max(0, owed - 1)
        if owed == 0 { idleSince = now }
    }

    /// The deadline in force, if any.
    var deadline: Deadline? {
        if let bodyStartedAt { return .body(bodyStartedAt + limits.bodyTimeout) }
        if owed > 0 { return nil }
        if let headStartedAt { return .header(headStartedAt + limits.headerTimeout) }
        return .idle(idleSince + limits.idleTimeout)
    }
}
