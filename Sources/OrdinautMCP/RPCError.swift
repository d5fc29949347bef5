import OrdinautCore

/// A JSON-RPC error object. Its code decides how transports report it (HTTP status, for instance),
/// so callers construct it through the named factories rather than from bare numbers.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var json: JSONValue {
        var object: JSONObject = ["code": .integer(Int64(code)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    public var description: String { "JSON-RPC error \(code): \(message)" }

    // JSON-RPC 2.0.
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    // MCP.
    public static let resourceNotFoundCode = -32002
    public static let headerMismatchCode = -32020
    public static let missingClientCapabilityCode = -32021
    public static let unsupportedProtocolVersionCode = -32022
    /// The principal lacks the scope an operation needs (Ordinaut's own code; over HTTP it is a 403).
    public static let insufficientScopeCode = -32040
    /// Too many requests or tool calls from one principal (Ordinaut's own code; over HTTP a 429).
    public static let rateLimitedCode = -32041

    /// The principal lacks `scope`; `data.requiredScope` names it for clients that step up.
    public static func insufficientScope(_ scope: String, operation: String) -> RPCError {
        RPCError(code: insufficientScopeCode, message: "Forbidden: \(operation) needs scope \"\(scope)\", which this credential does not hold",
                 data: ["requiredScope": .string(scope)])
    }

    /// Too many calls; `data.retryAfterSeconds` says when to try again.
    public static func rateLimited(_ what: String, retryAfterSeconds: Int) -> RPCError {
        RPCError(code: rateLimitedCode, message: "Rate limited: too many \(what); retry in \(retryAfterSeconds) s",
                 data: ["retryAfterSeconds": .integer(Int64(retryAfterSeconds))])
    }

    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "Parse error: \(detail)")
    }

    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "Invalid request: \(detail)")
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "Method not found: \(method)")
    }

    public static func invalidParams(_ detail: String, data: JSONValue? = nil) -> RPCError {
        RPCError(code: invalidParamsCode, message: "Invalid params: \(detail)", data: data)
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: internalErrorCode, message: "Internal error: \(detail)")
    }

    public static func headerMismatch(_ detail: String) -> RPCError {
        RPCError(code: headerMismatchCode, message: "Header mismatch: \(detail)")
    }

    public static func missingClientCapability(_ required: JSONValue, detail: String) -> RPCError {
        RPCError(code: missingClientCapabilityCode, message: "Missing required client capability: \(detail)",
                 data: ["requiredCapabilities": required])
    }

    public static func unsupportedProtocolVersion(_ requested: String, supported: [String]) -> RPCError {
        RPCError(
            code: unsupportedProtocolVersionCode,
            message: "Unsupported protocol version \(requested); supported: \(supported.joined(separator: ", "))",
            data: ["requested": .string(requested), "supported": .array(supported.map { .string($0) })]
        )
    }
}
