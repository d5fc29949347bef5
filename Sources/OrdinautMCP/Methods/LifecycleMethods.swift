import OrdinautCore

/// `server/discover` (2026-07-28): versions, capabilities and instructions, without a handshake.
struct DiscoverMethod: MethodHandler {
    static let name = "server/discover"
    static let eras: Set<ProtocolEra.Kind> = [.stateless]
    static let isCacheable = true
    static let readsSurface = false

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        let server = context.server
        var result: JSONObject = [
            "supportedVersions": .array(ProtocolVersion.all.map { .string($0) }),
            "capabilities": server.capabilities(era: context.era),
        ]
        if let instructions = server.configuration.instructions { result["instructions"] = .string(instructions) }
        return .object(result)
    }
}

/// `ping` (session era).
struct PingMethod: MethodHandler {
    static let name = "ping"
    static let eras: Set<ProtocolEra.Kind> = [.session]
    static let readsSurface = false

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult { [:] }
}

/// `logging/setLevel` (session era); the stateless era sends the level on each request instead.
struct SetLogLevelMethod: MethodHandler {
    static let name = "logging/setLevel"
    static let eras: Set<ProtocolEra.Kind> = [.session]

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let name = params["level"]?.stringValue, let level = LogLevel(rawValue: name) else {
            throw RPCError.invalidParams("level must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        context.connection.setLogLevel(level)
        return [:]
    }
}

/// `completion/complete`: suggestions for a prompt argument or a resource template variable.
struct CompleteMethod: MethodHandler {
    static let name = "completion/complete"
    static let maximumValues = 100

    func handle(_ params: JSONObject, _ context: RequestContext) async throws(RPCError) -> MethodResult {
        guard let reference = params["ref"]?.objectValue, let type = reference["type"]?.stringValue else {
            throw RPCError.invalidParams("completion/complete needs a \"ref\" with a \"type\"")
        }
        guard let argument = params["argument"]?.objectValue, let name = argument["name"]?.stringValue,
              let value = argument["value"]?.stringValue else {
            throw RPCError.invalidParams("completion/complete needs an \"argument\" with string \"name\" and \"value\"")
        }
        let known = params["context"]?["arguments"]?.objectValue ?? [:]
        let completer: Completer?
        switch type {
        case "ref/prompt":
            guard let promptName = reference["name"]?.stringValue, let prompt = context.server.prompts.lookup(promptName) else {
                throw RPCError.invalidParams("unknown prompt \(reference["name"]?.description ?? "(none)")")
            }
            completer = prompt.arguments.first { $0.name == name }?.completer
        case "ref/resource":
            guard let uri = reference["uri"]?.stringValue, let template = context.server.resources.template(named: uri) else {
                throw RPCError.invalidParams("unknown resource template \(reference["uri"]?.description ?? "(none)")")
            }
            completer = template.completers[name]
        default:
            throw RPCError.invalidParams("unknown reference type \(type); expected ref/prompt or ref/resource")
        }
        let values = await completer?(value, known) ?? []
        var completion: JSONObject = ["values": .array(values.prefix(Self.maximumValues).map { .string($0) })]
        completion["total"] = .integer(Int64(values.count))
        completion["hasMore"] = .bool(values.count > Self.maximumValues)
        return ["completion": .object(completion)]
    }
}
