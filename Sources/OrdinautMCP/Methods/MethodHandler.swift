import OrdinautCore

/// One MCP method: its wire name, the eras it exists in, and its handler. The engine routes by a
/// dictionary of these, so adding a method never touches a switch.
protocol MethodHandler: Sendable {
    static var name: String { get }
    static var eras: Set<ProtocolEra.Kind> { get }
    /// Whether stateless results carry `ttlMs` and `cacheScope`.
    static var isCacheable: Bool { get }
    /// The parameter naming the request's target, which HTTP's `Mcp-Name` header repeats.
    static var targetParameter: String? { get }
    /// Whether the handler may log, report progress or ask the client something while it runs, so
    /// that an HTTP transport answers it on a stream when the client accepts one.
    static var mayTalkBack: Bool { get }
    /// Whether the answer depends on what is registered, so it waits while the surface is filled.
    static var readsSurface: Bool { get }
    /// Whether the handler checks the principal's scope itself, having looked up its target anyway;
    /// the engine checks every other method's scope before it runs.
    static var checksOwnScope: Bool { get }

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult
}

extension MethodHandler {
    static var eras: Set<ProtocolEra.Kind> { ProtocolEra.Kind.both }
    static var isCacheable: Bool { false }
    static var targetParameter: String? { nil }
    static var mayTalkBack: Bool { false }
    static var readsSurface: Bool { true }
    static var checksOwnScope: Bool { false }
}

/// Cursor-based pagination shared by every list method. Cursors are opaque to clients.
enum Pagination {
    static func page<T>(_ items: [T], params: JSONObject, size: Int) throws(RPCError) -> (items: ArraySlice<T>, next: String?) {
        var start = 0
        if let cursor = params["cursor"], !cursor.isNull {
            guard let text = cursor.stringValue, let offset = decode(text), offset >= 0, offset <= items.count else {
                throw RPCError.invalidParams("unknown or malformed cursor")
            }
            start = offset
        }
        let end = min(items.count, start + max(1, size))
        return (items[start..<end], end < items.count ? encode(end) : nil)
    }

    private static func encode(_ offset: Int) -> String {
        "o" + String(offset, radix: 36)
    }

    private static func decode(_ cursor: String) -> Int? {
        guard cursor.first == "o" else { return nil }
        return Int(cursor.dropFirst(), radix: 36)
    }

    static func result(_ key: String, _ values: [JSONValue], next: String?) -> MethodResult {
        var result: JSONObject = [key: .array(values)]
        if let next { result["nextCursor"] = .string(next) }
        return .object(result)
    }
}
