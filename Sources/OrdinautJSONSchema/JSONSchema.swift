import OrdinautCore

/// A compiled JSON Schema (draft 2020-12).
///
/// Compile once, validate many times: references are resolved at compile time, and a schema whose
/// references cannot be resolved locally is rejected with a `SchemaError` rather than fetched.
public struct JSONSchema: Sendable {
    /// How a schema is compiled.
    public struct Options: Sendable {
        /// Whether `format` is an assertion (`true`) or only an annotation (`false`, the 2020-12 default).
        public var assertFormats: Bool
        /// Further schema documents that `$ref` may name, by absolute URI.
        public var documents: [String: JSONValue]
        /// The base URI of a root schema without `$id`.
        public var baseURI: String

        public init(assertFormats: Bool = false, documents: [String: JSONValue] = [:], baseURI: String = "urn:ordinaut:schema") {
            self.assertFormats = assertFormats
            self.documents = documents
            self.baseURI = baseURI
        }
    }

    /// The outcome of one validation.
    public struct Result: Sendable {
        /// Every failed keyword, innermost last; empty when the instance is valid.
        public let errors: [SchemaValidationError]
        /// Whether the instance satisfies the schema.
        public var isValid: Bool { errors.isEmpty }

        /// The errors as one readable paragraph.
        public var summary: String { errors.map(\.description).joined(separator: "; ") }
    }

    private let root: SchemaNode
    private let nodes: [SchemaNode]
    private let tracksAnnotations: Bool
    private let tracksDynamicScope: Bool
    /// The schema as given.
    public let document: JSONValue

    /// Compiles `document`.
    public init(_ document: JSONValue, options: Options = Options()) throws(SchemaError) {
        let compiler = SchemaCompiler(documents: options.documents, assertFormats: options.assertFormats)
        root = try compiler.compileRoot(document, baseURI: options.baseURI)
        nodes = compiler.nodes
        tracksAnnotations = nodes.contains { $0.needsAnnotations }
        tracksDynamicScope = nodes.contains { $0.dynamicRef != nil }
        self.document = document
    }

    /// Validates `instance`, reporting every failing keyword with its location.
    public func validate(_ instance: JSONValue) -> Result {
        var check = evaluator(collectsErrors: false)
        if check.evaluate(root, instance, at: .root).0 { return Result(errors: []) }
        var evaluator = evaluator(collectsErrors: true)
        _ = evaluator.evaluate(root, instance, at: .root)
        let errors = evaluator.errors.isEmpty
            ? [SchemaValidationError(keyword: "", keywordLocation: "#", instanceLocation: .root, message: "does not match the schema")]
            : evaluator.errors
        return Result(errors: errors)
    }

    private func evaluator(collectsErrors: Bool) -> SchemaEvaluator {
        SchemaEvaluator(formatChecker: FormatChecker(), tracksAnnotations: tracksAnnotations,
                        tracksDynamicScope: tracksDynamicScope, collectsErrors: collectsErrors)
    }

    /// Whether `instance` satisfies the schema; cheaper than `validate` when it does not.
    public func isValid(_ instance: JSONValue) -> Bool {
        var check = evaluator(collectsErrors: false)
        return check.evaluate(root, instance, at: .root).0
    }
}
