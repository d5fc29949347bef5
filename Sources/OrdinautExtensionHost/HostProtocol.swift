import OrdinautCore
import OrdinautJSONSchema

/// The `ordinaut/*` methods' JSON Schemas (`protocol/host-protocol.schema.json`), compiled once.
enum HostProtocol {
    private static let document = EmbeddedResource.json("protocol/host-protocol.schema.json")

    private static let schemas: [String: JSONSchema] = {
        var schemas: [String: JSONSchema] = [:]
        for name in (document["$defs"]?.objectValue?.keys ?? []) {
            var root = document.objectValue!
            root["$ref"] = .string("#/$defs/\(name)")
            do {
                schemas[name] = try JSONSchema(.object(root))
            } catch {
                preconditionFailure("protocol/host-protocol.schema.json: $defs/\(name) does not compile: \(error)")
            }
        }
        return schemas
    }()

    /// What is wrong with `value` as definition `name`, or `nil` when it conforms.
    static func problem(_ value: JSONObject, definition name: String) -> String? {
        guard let schema = schemas[name] else { preconditionFailure("no host protocol definition \(name)") }
        let result = schema.validate(.object(value))
        return result.isValid ? nil : result.summary
    }
}

/// Why an extension could not be activated: the phase that failed and what happened.
public struct ActivationFailure: Error, Sendable, CustomStringConvertible {
    public let phase: String
    public let message: String

    public init(phase: String, message: String) {
        self.phase = phase
        self.message = message
    }

    public var description: String { "\(phase): \(message)" }

    public var json: JSONValue { ["phase": .string(phase), "message": .string(message)] }
}
