import OrdinautCore

/// A JSON-RPC request: it has an id and expects a response.
public struct JSONRPCRequest: Sendable {
    public let id: RequestID
    public let method: String
    public let params: JSONObject

    public init(id: RequestID, method: String, params: JSONObject = [:]) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var json: JSONValue {
        ["jsonrpc": "2.0", "id": id.json, "method": .string(method), "params": .object(params)]
    }
}

/// A JSON-RPC notification: no id, no response.
public struct JSONRPCNotification: Sendable {
    public let method: String
    public let params: JSONObject

    public init(method: String, params: JSONObject = [:]) {
        self.method = method
        self.params = params
    }

    public var json: JSONValue {
        params.isEmpty
            ? ["jsonrpc": "2.0", "method": .string(method)]
            : ["jsonrpc": "2.0", "method": .string(method), "params": .object(params)]
    }
}

/// A JSON-RPC response: a result or an error for one request id (`nil` only for errors about
/// messages whose id could not be read).
public struct JSONRPCResponse: Sendable {
    public let id: RequestID?
    private let body: Body

    private enum Body: Sendable {
        case result(JSONValue)
        /// A tool call's result, kept as it is until it is written.
        case toolCall(ToolCallResult)
        case error(RPCError)
    }

    public init(id: RequestID?, outcome: Result<JSONValue, RPCError>) {
        self.id = id
        switch outcome {
        case .success(let result): body = .result(result)
        case .failure(let error): body = .error(error)
        }
    }

    private init(id: RequestID, toolCall: ToolCallResult) {
        self.id = id
        body = .toolCall(toolCall)
    }

    public static func success(_ id: RequestID, _ result: JSONValue) -> JSONRPCResponse {
        JSONRPCResponse(id: id, outcome: .success(result))
    }

    public static func failure(_ id: RequestID?, _ error: RPCError) -> JSONRPCResponse {
        JSONRPCResponse(id: id, outcome: .failure(error))
    }

    static func success(_ id: RequestID, _ toolCall: ToolCallResult) -> JSONRPCResponse {
        JSONRPCResponse(id: id, toolCall: toolCall)
    }

    /// The result or the error.
    public var outcome: Result<JSONValue, RPCError> {
        switch body {
        case .result(let result): return .success(result)
        case .toolCall(let toolCall): return .success(.object(toolCall.json))
        case .error(let error): return .failure(error)
        }
    }

    /// The result, or `nil` for an error.
    public var result: JSONValue? {
        if case .success(let value) = outcome { return value }
        return nil
    }

    /// The error, or `nil` for a result.
    public var error: RPCError? {
        if case .error(let error) = body { return error }
        return nil
    }

    public var json: JSONValue {
        switch outcome {
        case .success(let result):
            return ["jsonrpc": "2.0", "id": id?.json ?? .null, "result": result]
        case .failure(let error):
            return ["jsonrpc": "2.0", "id": id?.json ?? .null, "error": error.json]
        }
    }

    /// The compact JSON text of `json`, written straight from the envelope: a transport that sends
    /// the answer as it is does not build (and free) the wrapping object, nor a tool call's result.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        output.append(contentsOf: Self.head)
        (id?.json ?? .null).encode(into: &output)
        switch body {
        case .result(let result):
            output.append(contentsOf: Self.resultMember)
            result.encode(into: &output)
        case .toolCall(let toolCall):
            output.append(contentsOf: Self.resultMember)
            toolCall.encode(into: &output)
        case .error(let error):
            output.append(contentsOf: Self.errorMember)
            error.json.encode(into: &output)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    private static let head = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
    private static let resultMember = Array(#","result":"#.utf8)
    private static let errorMember = Array(#","error":"#.utf8)
}

/// Any JSON-RPC message, classified once from its decoded JSON.
public enum JSONRPCMessage: Sendable {
    case request(JSONRPCRequest)
    case notification(JSONRPCNotification)
    case response(JSONRPCResponse)

    /// The failure to read a message: the error to answer with and, when it could be read, the id.
    public struct DecodingFailure: Error, Sendable {
        public let id: RequestID?
        public let error: RPCError
    }

    /// Decodes one message from its bytes; the bytes are parsed exactly once.
    public static func decode<Bytes: Collection<UInt8>>(
        _ bytes: Bytes, maximumDepth: Int = JSONParser.defaultMaximumDepth
    ) -> Result<JSONRPCMessage, DecodingFailure> {
        let value: JSONValue
        do {
            value = try JSONParser(maximumDepth: maximumDepth).parse(bytes)
        } catch {
            return .failure(DecodingFailure(id: nil, error: .parseError(error.description)))
        }
        return classify(value)
    }

    /// Classifies an already-parsed value as a request, notification or response.
    public static func classify(_ value: JSONValue) -> Result<JSONRPCMessage, DecodingFailure> {
        guard case .object(let object) = value else {
            if case .array = value {
                return .failure(DecodingFailure(id: nil, error: .invalidRequest("a batch is only accepted on a session that negotiated 2025-03-26 (batching was removed from MCP in 2025-06-18)")))
            }
            return .failure(DecodingFailure(id: nil, error: .invalidRequest("a message must be a JSON object, not \(value.typeName)")))
        }
        let rawID = object["id"]
        var id: RequestID? = nil
        if let rawID, !rawID.isNull {
            guard let parsed = RequestID(rawID) else {
                return .failure(DecodingFailure(id: nil, error: .invalidRequest("id must be a string or an integer")))
            }
            id = parsed
        }
        guard object["jsonrpc"] == .string("2.0") else {
            return .failure(DecodingFailure(id: id, error: .invalidRequest("\"jsonrpc\" must be \"2.0\"")))
        }
        if let method = object["method"] {
            guard let name = method.stringValue else {
                return .failure(DecodingFailure(id: id, error: .invalidRequest("\"method\" must be a string")))
            }
            var params: JSONObject = [:]
            if let rawParams = object["params"], !rawParams.isNull {
                guard let parsed = rawParams.objectValue else {
                    return .failure(DecodingFailure(id: id, error: .invalidRequest("\"params\" must be an object")))
                }
                params = parsed
            }
            if rawID != nil && id == nil {
                return .failure(DecodingFailure(id: nil, error: .invalidRequest("a request id must not be null")))
            }
            if let id { return .success(.request(JSONRPCRequest(id: id, method: name, params: params))) }
            return .success(.notification(JSONRPCNotification(method: name, params: params)))
        }
        if let result = object["result"] {
            guard let id else { return .failure(DecodingFailure(id: nil, error: .invalidRequest("a response needs an id"))) }
            return .success(.response(.success(id, result)))
        }
        if let error = object["error"] {
            guard let code = error["code"]?.integerValue, let message = error["message"]?.stringValue else {
                return .failure(DecodingFailure(id: id, error: .invalidRequest("an error needs an integer code and a string message")))
            }
            return .success(.response(.failure(id, RPCError(code: Int(clamping: code), message: message, data: error["data"]))))
        }
        return .failure(DecodingFailure(id: id, error: .invalidRequest("a message needs a \"method\", a \"result\" or an \"error\"")))
    }
}
