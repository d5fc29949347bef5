import ArgumentParser
import Foundation

/// The configuration snippet of one assistant for one way of connecting.
struct ClientConfiguration {
    enum Client: String, CaseIterable, ExpressibleByArgument {
        case claudeDesktop = "claude-desktop"
        case claudeCode = "claude-code"
        case cursor
        case vscode
    }

    enum Connection {
        case stdio(command: String)
        case http(url: String, token: String?)
    }

    let client: Client
    let connection: Connection

    /// The snippet: JSON for the configuration files, a shell command for Claude Code.
    func text() throws -> String {
        switch (client, connection) {
        case (.claudeDesktop, .http):
            throw CommandFailure(description: "Claude Desktop launches local servers only: drop --url (it then runs `ordinaut stdio`), "
                                 + "or use --client claude-code, cursor or vscode for HTTP")
        case (.claudeCode, .stdio(let command)):
            return "claude mcp add ordinaut -- \(Self.shellQuoted(command)) stdio"
        case (.claudeCode, .http(let url, let token)):
            let header = token.map { " --header " + Self.shellQuoted("Authorization: Bearer \($0)") } ?? ""
            return "claude mcp add --transport http ordinaut \(Self.shellQuoted(url))\(header)"
        case (.vscode, _):
            return try Self.json(["servers": ["ordinaut": server(typed: true)]])
        case (.claudeDesktop, _), (.cursor, _):
            return try Self.json(["mcpServers": ["ordinaut": server(typed: false)]])
        }
    }

    /// One server entry; VS Code names the transport in `type`.
    private func server(typed: Bool) -> [String: Any] {
        var entry: [String: Any]
        switch connection {
        case .stdio(let command):
            entry = ["command": command, "args": ["stdio"]]
            if typed { entry["type"] = "stdio" }
        case .http(let url, let token):
            entry = ["url": url]
            if let token { entry["headers"] = ["Authorization": "Bearer \(token)"] }
            if typed { entry["type"] = "http" }
        }
        return entry
    }

    private static func json(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// `text` as one shell word: unchanged when it holds only safe characters, else single-quoted.
    static func shellQuoted(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-:+@=,")
        if !text.isEmpty, text.unicodeScalars.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
