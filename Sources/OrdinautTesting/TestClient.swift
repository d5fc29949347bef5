import OrdinautAuth
import OrdinautCore
import OrdinautMCP
import Synchronization

/// An in-process MCP client for tests: it drives an `MCPConnection` directly, with no transport,
/// and records every message the server sends on request streams.
public final class TestClient: Sendable {
    public let connection: MCPConnection
    /// Everything the server sent on request streams (notifications, server-to-client requests).
    public let received = Mailbox(capacity: 10_000)
    /// Who every request of this client acts as.
    public let principal: Principal
    private let nextID = Mutex(0)

    public init(server: MCPServer, kind: MCPConnection.Kind = .stdio, principal: Principal = .local) {
        connection = MCPConnection(server: server, kind: kind)
        self.principal = principal
    }

    /// The stateless-era `_meta` a 2026-07-28 request carries.
    public static func statelessMeta(capabilities: JSONObject = [:], extra: JSONObject = [:]) -> JSONObject {
        var meta: JSONObject = [
            ProtocolVersion.MetaKey.protocolVersion: .string(ProtocolVersion.latestStateless),
            ProtocolVersion.MetaKey.clientCapabilities: .object(capabilities),
            ProtocolVersion.MetaKey.clientInfo: ["name": "ordinaut-tests", "version": "1"],
        ]
        for (key, value) in extra { meta[key] = value }
        return meta
    }

    /// Sends a request and returns the response (`nil` if the server sent none, as for a cancelled request).
    public func request(_ method: String, _ params: JSONObject = [:], id: RequestID? = nil) async -> JSONRPCResponse? {
        let requestID = id ?? nextID.withLock { value -> RequestID in
            value += 1
            return .number(Int64(value))
        }
        return await connection.handle(.request(JSONRPCRequest(id: requestID, method: method, params: params)), stream: received, principal: principal)
    }

    /// Sends a stateless-era request (adds the `_meta` keys).
    public func statelessRequest(_ method: String, _ params: JSONObject = [:], capabilities: JSONObject = [:],
                                 meta extra: JSONObject = [:]) async -> JSONRPCResponse? {
        var params = params
        params["_meta"] = .object(Self.statelessMeta(capabilities: capabilities, extra: extra))
        return await request(method, params)
    }

    /// Sends a notification.
    public func notify(_ method: String, _ params: JSONObject = [:]) async {
        _ = await connection.handle(.notification(JSONRPCNotification(method: method, params: params)), stream: received, principal: principal)
    }

    /// Delivers a response to a server-to-client request.
    public func respond(to id: RequestID, with result: JSONValue) async {
        _ = await connection.handle(.response(.success(id, result)), stream: received, principal: principal)
    }

    /// Performs the session-era handshake.
    @discardableResult
    public func initialize(version: String = ProtocolVersion.latestSession, capabilities: JSONObject = [:]) async -> JSONRPCResponse? {
        let response = await request("initialize", [
            "protocolVersion": .string(version), "capabilities": .object(capabilities),
            "clientInfo": ["name": "ordinaut-tests", "version": "1"],
        ])
        await notify("notifications/initialized")
        return response
    }

    /// The next message the server sent on a request stream.
    public func nextReceived() async -> JSONValue? {
        await received.receive()
    }
}
