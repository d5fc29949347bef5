import Foundation
import Ordinaut
import OrdinautCore
import OrdinautMCP
import OrdinautWebhooks

/// Sends one stateless (2026-07-28) MCP request to a running server's `/mcp`, as `tools call --server`
/// does: the server's own extensions, event bus and database answer, not a copy in this process.
struct ServerClient {
    /// The MCP endpoint: the URL given, with `/mcp` appended when it names only the server.
    let endpoint: String
    let token: String?
    let timeout: Duration
    let maxResponseBytes: Int

    init(server: String, token: String?, timeout: Duration, maxResponseBytes: Int) throws {
        guard server.hasPrefix("http://") || server.hasPrefix("https://") else {
            throw CommandFailure(description: "--server must be an http:// or https:// URL such as http://127.0.0.1:8080")
        }
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        endpoint = base.hasSuffix("/mcp") ? base : base + "/mcp"
        self.token = token
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The request's result; a JSON-RPC error, an HTTP refusal or an unreachable server is one line.
    func request(_ method: String, name: String?, params: JSONObject) async throws -> JSONValue {
        var params = params
        params["_meta"] = [
            ProtocolVersion.MetaKey.protocolVersion: .string(ProtocolVersion.latestStateless),
            ProtocolVersion.MetaKey.clientCapabilities: [:],
            ProtocolVersion.MetaKey.clientInfo: ["name": "ordinaut-cli", "version": .string(ordinautVersion)],
        ]
        let body: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": .object(params)]
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", ProtocolVersion.latestStateless), ("Mcp-Method", method),
        ]
        if let name { headers.append(("Mcp-Name", name)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let client = CurlClient(maxConnections: 1)
        defer { client.shutdown() }
        let call = HTTPCall(url: endpoint, method: "POST", headers: headers, body: Array(body.encodedString().utf8),
                            timeout: timeout, maxResponseBytes: maxResponseBytes)
        switch await client.perform(call) {
        case .failure(let failure):
            throw CommandFailure(description: "cannot reach \(endpoint): \(failure) (is `ordinaut serve` running there?)")
        case .success(let response):
            return try answer(response)
        }
    }

    private func answer(_ response: HTTPCallResponse) throws -> JSONValue {
        let messages = (response.contentType ?? "").hasPrefix("text/event-stream")
            ? Self.eventMessages(response.body) : [try? JSONParser().parse(response.body)].compactMap { $0 }
        // Notifications (progress, logs) go to stderr, as they do for a call in process.
        for message in messages where !Self.isReply(message) {
            FileHandle.standardError.write(Data((message.encodedString() + "\n").utf8))
        }
        let reply = messages.first(where: Self.isReply)
        if let result = reply?["result"], response.status == 200 { return result }
        let message = reply?["error"]?["message"]?.stringValue ?? messages.first?["message"]?.stringValue
            ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        var hint = ""
        if response.status == 401 || response.status == 403 {
            hint = token == nil ? " (set ORDINAUT_TOKEN to a token with scope mcp)" : " (check ORDINAUT_TOKEN and its scopes)"
        }
        throw CommandFailure(description: "\(endpoint) answered \(response.status): \(message)\(hint)")
    }

    private static func isReply(_ message: JSONValue) -> Bool {
        message.objectValue?.keys.contains("id") ?? false
    }

    /// The JSON messages of a `text/event-stream` body (its `data:` lines, joined per event).
    static func eventMessages(_ body: [UInt8]) -> [JSONValue] {
        String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").compactMap { event in
            let data = event.split(separator: "\n").filter { $0.hasPrefix("data:") }
                .map { $0.dropFirst(5).drop { $0 == " " } }.joined(separator: "\n")
            return data.isEmpty ? nil : try? JSONParser().parse(data)
        }
    }
}
