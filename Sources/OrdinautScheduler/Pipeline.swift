import OrdinautCore
import OrdinautMCP
import OrdinautPipeline

/// A task's payload, `{"pipeline": [steps], "params": {...}}`, compiled and checked before it is
/// stored and again before each run.
///
/// A step is `{"id", "uses", "with", "save_as", "if", "timeout_seconds", "retries"}`: it calls the
/// tool `uses` with `with` rendered as a template, unless its `if` is falsy. Its result is saved as
/// `steps.<id>` (and `steps.<save_as>`) for later steps. `uses: "ordinaut.approval"` parks the run
/// until someone approves or rejects it.
public struct Pipeline: Sendable {
    public struct Step: Sendable {
        public let index: Int
        public let id: String
        public let uses: String
        public let arguments: Template
        public let rawArguments: JSONValue
        public let saveAs: String?
        public let condition: StepCondition?
        public let timeoutSeconds: Double
        public let retries: Int

        public var isApproval: Bool { uses == Pipeline.approvalTool }
    }

    /// The pseudo-tool of an approval step.
    public static let approvalTool = "ordinaut.approval"
    public static let maximumSteps = 100

    public let steps: [Step]
    public let params: JSONObject

    /// The names a step may be referred to by in `${steps.…}`.
    private static let stepKeys: Set<String> = ["id", "uses", "with", "save_as", "if", "timeout_seconds", "retries", "description"]

    /// What a pipeline asks of the tools its steps use: whether one exists, and what is wrong with
    /// literal arguments for it (`nil` when nothing is).
    public struct ToolChecks: Sendable {
        let exists: @Sendable (String) -> Bool
        let problem: @Sendable (_ arguments: JSONValue, _ tool: String) -> String?
    }

    /// Compiles `payload`. Every problem is an error naming the field (`payload.pipeline[2].uses`).
    /// `tools` checks tool names and literal arguments; `nil` skips those checks.
    public init(payload: JSONValue, tools: ToolChecks? = nil) throws(InputError) {
        guard let object = payload.objectValue else { throw InputError("payload must be an object with a \"pipeline\" array", field: "payload") }
        for key in object.keys where key != "pipeline" && key != "params" {
            throw InputError("payload has an unknown field \"\(key)\"; it takes \"pipeline\" and \"params\"", field: "payload.\(key)")
        }
        guard let list = object["pipeline"]?.arrayValue else {
            throw InputError("payload.pipeline is required: an array of steps", field: "payload.pipeline")
        }
        guard !list.isEmpty else { throw InputError("payload.pipeline has no steps", field: "payload.pipeline") }
        guard list.count <= Self.maximumSteps else { throw InputError("payload.pipeline has more than \(Self.maximumSteps) steps", field: "payload.pipeline") }
        switch object["params"] {
        case nil, .null?: params = [:]
        case .object(let value)?: params = value
        default: throw InputError("payload.params must be an object", field: "payload.params")
        }
        var steps: [Step] = []
        var names = Set<String>()
        for (index, item) in list.enumerated() {
            let step = try Self.step(item, index: index, known: names, tools: tools)
            guard names.insert(step.id).inserted else {
                throw InputError("payload.pipeline[\(index)].id \"\(step.id)\" is used by an earlier step", field: "payload.pipeline[\(index)].id")
            }
            if let saveAs = step.saveAs, saveAs != step.id {
                guard names.insert(saveAs).inserted else {
                    throw InputError("payload.pipeline[\(index)].save_as \"\(saveAs)\" is used by an earlier step", field: "payload.pipeline[\(index)].save_as")
                }
            }
            steps.append(step)
        }
        self.steps = steps
    }

    /// Compiles `payload`, checking tool names and literal arguments against `registry`.
    /// The registry's schemas are compiled once, when a tool registers; a run compiles none.
    public init(payload: JSONValue, registry: ToolRegistry) throws(InputError) {
        try self.init(payload: payload, tools: ToolChecks(exists: registry.contains, problem: registry.problem(with:for:)))
    }

    private static func step(_ item: JSONValue, index: Int, known: Set<String>, tools: ToolChecks?) throws(InputError) -> Step {
        let field = "payload.pipeline[\(index)]"
        guard let object = item.objectValue else { throw InputError("\(field) must be an object", field: field) }
        for key in object.keys where !stepKeys.contains(key) {
            throw InputError("\(field) has an unknown field \"\(key)\"", field: "\(field).\(key)")
        }
        guard let uses = object["uses"]?.stringValue, !uses.isEmpty else {
            throw InputError("\(field).uses is required: the name of the tool the step calls", field: "\(field).uses")
        }
        let id: String
        switch object["id"] {
        case nil: id = "step\(index + 1)"
        case .string(let text)?: id = text
        default: throw InputError("\(field).id must be a string", field: "\(field).id")
        }
        try checkName(id, field: "\(field).id")
        var saveAs: String?
        if let value = object["save_as"] {
            guard let text = value.stringValue else { throw InputError("\(field).save_as must be a string", field: "\(field).save_as") }
            try checkName(text, field: "\(field).save_as")
            saveAs = text
        }
        let rawArguments = object["with"] ?? [:]
        guard rawArguments.objectValue != nil else { throw InputError("\(field).with must be an object of arguments", field: "\(field).with") }
        let arguments: Template
        do throws(TemplateError) {
            arguments = try Template(rawArguments)
        } catch {
            throw InputError("\(field).with: \(error)", field: "\(field).with")
        }
        var condition: StepCondition?
        if let value = object["if"] {
            guard let text = value.stringValue else { throw InputError("\(field).if must be a string (a JMESPath expression)", field: "\(field).if") }
            do throws(TemplateError) {
                condition = try StepCondition(text)
            } catch {
                throw InputError("\(field).if: \(error)", field: "\(field).if")
            }
            try checkReferences(in: text, field: "\(field).if", known: known)
        }
        try checkReferences(in: rawArguments, field: "\(field).with", known: known)
        var timeout = 300.0
        if let value = object["timeout_seconds"] {
            guard let number = value.doubleValue, number > 0, number <= 86_400 else {
                throw InputError("\(field).timeout_seconds must be a number of seconds in (0, 86400]", field: "\(field).timeout_seconds")
            }
            timeout = number
        }
        var retries = 0
        if let value = object["retries"] {
            guard let number = value.integerValue, (0...10).contains(number) else {
                throw InputError("\(field).retries must be an integer from 0 to 10", field: "\(field).retries")
            }
            retries = Int(number)
        }
        if uses == approvalTool {
            if let prompt = rawArguments["prompt"], prompt.stringValue == nil {
                throw InputError("\(field).with.prompt must be a string", field: "\(field).with.prompt")
            }
        } else if let tools {
            guard tools.exists(uses) else {
                throw InputError("\(field).uses: no tool named \"\(uses)\"", field: "\(field).uses")
            }
            // Literal arguments are checked now; templated ones when they are rendered, before the call.
            if arguments.variables.isEmpty, let problem = tools.problem(rawArguments, uses) {
                throw InputError("\(field).with does not match the input schema of \(uses): \(problem)", field: "\(field).with")
            }
        }
        return Step(index: index, id: id, uses: uses, arguments: arguments, rawArguments: rawArguments, saveAs: saveAs,
                    condition: condition, timeoutSeconds: timeout, retries: retries)
    }

    private static func checkName(_ name: String, field: String) throws(InputError) {
        guard !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw InputError("\(field) must be 1–64 letters, digits, \"_\" or \"-\"", field: field)
        }
    }

    /// A template that reads `steps.<name>` must name an earlier step.
    private static func checkReferences(in value: JSONValue, field: String, known: Set<String>) throws(InputError) {
        switch value {
        case .string(let text): try checkReferences(in: text, field: field, known: known)
        case .array(let items): for item in items { try checkReferences(in: item, field: field, known: known) }
        case .object(let object): for (_, item) in object { try checkReferences(in: item, field: field, known: known) }
        default: break
        }
    }

    private static func checkReferences(in text: String, field: String, known: Set<String>) throws(InputError) {
        let bytes = Array(text.utf8)
        let marker = Array("steps.".utf8)
        var index = 0
        while index + marker.count <= bytes.count {
            let boundary = index == 0 || !isNameByte(bytes[index - 1]) && bytes[index - 1] != UInt8(ascii: ".")
            if boundary && Array(bytes[index..<index + marker.count]) == marker {
                var end = index + marker.count
                while end < bytes.count, isNameByte(bytes[end]) || bytes[end] == UInt8(ascii: "-") { end += 1 }
                let name = String(decoding: bytes[(index + marker.count)..<end], as: UTF8.self)
                if !name.isEmpty && !known.contains(name) {
                    let hint = known.isEmpty ? "no step runs before it" : "earlier steps are \(known.sorted().joined(separator: ", "))"
                    throw InputError("\(field) refers to steps.\(name), which is not an earlier step (\(hint))", field: field)
                }
                index = end
            } else {
                index += 1
            }
        }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
