import OrdinautCore

/// A `tools/call` result as a client receives it: the tool's result and, in the stateless era, what
/// every result of that era carries (`resultType`, the server's info in `_meta`).
///
/// `encode(into:)` writes the answer's text straight from the result, and `json` builds the same
/// members in the same order for transports that need a value (batches, streams).
struct ToolCallResult: Sendable {
    let result: ToolResult
    /// The server's info for `_meta` in the stateless era; `nil` in a session.
    let serverInfo: JSONValue?

    var json: JSONObject {
        var object = result.json
        if let serverInfo {
            var meta = result.meta ?? [:]
            meta[ProtocolVersion.MetaKey.serverInfo] = serverInfo
            object["_meta"] = .object(meta)
            object["resultType"] = "complete"
        }
        return object
    }

    func encode(into output: inout [UInt8]) {
        output.append(contentsOf: Self.contentMember)
        for (index, block) in result.content.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            block.encode(into: &output)
        }
        output.append(UInt8(ascii: "]"))
        if let structured = result.structuredContent {
            output.append(contentsOf: Self.structuredContentMember)
            structured.encode(into: &output)
        }
        if result.isError { output.append(contentsOf: Self.isErrorMember) }
        if serverInfo != nil || result.meta != nil {
            output.append(contentsOf: Self.metaMember)
            var first = true
            for (key, value) in result.meta ?? [:] where serverInfo == nil || key != ProtocolVersion.MetaKey.serverInfo {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.string(key).encode(into: &output)
                output.append(UInt8(ascii: ":"))
                value.encode(into: &output)
            }
            if let serverInfo {
                if !first { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: Self.serverInfoKey)
                serverInfo.encode(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        if serverInfo != nil { output.append(contentsOf: Self.completeMember) }
        output.append(UInt8(ascii: "}"))
    }

    private static let contentMember = Array(#"{"content":["#.utf8)
    private static let structuredContentMember = Array(#","structuredContent":"#.utf8)
    private static let isErrorMember = Array(#","isError":true"#.utf8)
    private static let metaMember = Array(#","_meta":{"#.utf8)
    private static let serverInfoKey = Array(#""\#(ProtocolVersion.MetaKey.serverInfo)":"#.utf8)
    private static let completeMember = Array(#","resultType":"complete""#.utf8)
}

extension Content {
    /// Appends the block's JSON text: a text block directly, any other through `json`.
    func encode(into output: inout [UInt8]) {
        guard case .text(let text, nil) = self else { return json.encode(into: &output) }
        output.append(contentsOf: Self.textHead)
        JSONValue.string(text).encode(into: &output)
        output.append(UInt8(ascii: "}"))
    }

    private static let textHead = Array(#"{"type":"text","text":"#.utf8)
}
