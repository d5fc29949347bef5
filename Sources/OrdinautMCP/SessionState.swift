import OrdinautCore

/// The session-era lifecycle of one connection, as a pure state machine: it decides, without any
/// I/O, whether a message is admissible and what `initialize` negotiates.
public struct SessionState: Sendable {
    /// What a successful `initialize` established.
    public struct Session: Sendable, Equatable {
        public let version: String
        public let clientCapabilities: JSONObject
        public let clientInfo: JSONValue?
    }

    public enum Phase: Sendable, Equatable {
        case awaitingInitialize
        /// `initialize` was answered; `notifications/initialized` may not have arrived yet.
        case initializing(Session)
        case ready(Session)
        case closed
    }

    public private(set) var phase: Phase = .awaitingInitialize

    public init() {}

    /// The negotiated session, once `initialize` has been answered.
    public var session: Session? {
        switch phase {
        case .initializing(let session), .ready(let session): return session
        default: return nil
        }
    }

    /// Handles `initialize`: negotiates the version (the client's if we speak it, else our latest).
    public mutating func initialize(_ params: JSONObject) -> Result<Session, RPCError> {
        switch phase {
        case .awaitingInitialize: break
        case .closed: return .failure(.invalidRequest("the session is closed"))
        case .initializing, .ready: return .failure(.invalidRequest("initialize was already received on this session"))
        }
        guard let requested = params["protocolVersion"]?.stringValue else {
            return .failure(.invalidParams("initialize needs a string \"protocolVersion\""))
        }
        guard params["capabilities"] == nil || params["capabilities"]?.objectValue != nil else {
            return .failure(.invalidParams("\"capabilities\" must be an object"))
        }
        let version = ProtocolVersion.sessionEra.contains(requested) ? requested : ProtocolVersion.latestSession
        let session = Session(version: version, clientCapabilities: params["capabilities"]?.objectValue ?? [:],
                              clientInfo: params["clientInfo"])
        phase = .initializing(session)
        return .success(session)
    }

    /// Handles `notifications/initialized`.
    public mutating func initialized() {
        if case .initializing(let session) = phase { phase = .ready(session) }
    }

    /// Whether a session-era request for `method` may be served now. Requests are accepted as soon as
    /// `initialize` is answered: a client that pipelines its first call behind `initialized` must not
    /// lose a race it cannot see.
    public func admit(_ method: String) -> Result<Session?, RPCError> {
        switch phase {
        case .initializing(let session), .ready(let session): return .success(session)
        case .closed: return .failure(.invalidRequest("the session is closed"))
        case .awaitingInitialize:
            if method == "ping" { return .success(nil) }
            // The request lacks what a 2026-07-28 request must carry, so it is an invalid-params error
            // naming those keys, as the stateless era requires; a session-era client reads the other way.
            return .failure(.invalidParams(
                "no protocol version: send _meta \"\(ProtocolVersion.MetaKey.protocolVersion)\" and \"\(ProtocolVersion.MetaKey.clientCapabilities)\" "
                    + "with each request (protocol 2026-07-28), or send initialize first (2024-11-05 to 2025-11-25)"))
        }
    }

    public mutating func close() {
        phase = .closed
    }
}
