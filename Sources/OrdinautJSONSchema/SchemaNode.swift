import OrdinautCore

/// One compiled schema object (or boolean schema). Built and linked by `SchemaCompiler`, immutable
/// once compilation returns, which is why sharing it across tasks is safe.
///
/// Subschemas are owned by their parent; references (`$ref`, `$dynamicRef`, the resource root) may
/// form cycles, so they are unowned and the compiled `JSONSchema` keeps every node alive.
final class SchemaNode: @unchecked Sendable {
    /// Where this schema sits in its document, as a JSON Pointer fragment (`#/properties/a`).
    let location: String
    /// For a boolean schema: its verdict.
    var constant: Bool?

    /// The resource (a schema with `$id`, or a document root) this node belongs to.
    unowned(unsafe) var resourceRoot: SchemaNode!
    /// For resource roots: the `$dynamicAnchor`s defined in the resource.
    var dynamicAnchors: [String: SchemaNode] = [:]
    /// The `$dynamicAnchor` this node declares, if any.
    var dynamicAnchorName: String?

    // Core vocabulary.
    unowned(unsafe) var ref: SchemaNode?
    unowned(unsafe) var dynamicRef: SchemaNode?
    var dynamicRefAnchor: String?

    // Applicator vocabulary.
    var allOf: [SchemaNode]?
    var anyOf: [SchemaNode]?
    var oneOf: [SchemaNode]?
    var not: SchemaNode?
    var ifSchema: SchemaNode?
    var thenSchema: SchemaNode?
    var elseSchema: SchemaNode?
    var dependentSchemas: [(String, SchemaNode)]?
    var prefixItems: [SchemaNode]?
    var items: SchemaNode?
    var contains: SchemaNode?
    var properties: [String: SchemaNode]?
    var patternProperties: [(PatternMatcher, SchemaNode)]?
    var additionalProperties: SchemaNode?
    var propertyNames: SchemaNode?

    // Unevaluated vocabulary.
    var unevaluatedItems: SchemaNode?
    var unevaluatedProperties: SchemaNode?

    // Validation vocabulary.
    var types: [String]?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?
    var multipleOf: JSONValue?
    var maximum: JSONValue?
    var exclusiveMaximum: JSONValue?
    var minimum: JSONValue?
    var exclusiveMinimum: JSONValue?
    var maxLength: Int?
    var minLength: Int?
    var pattern: PatternMatcher?
    var maxItems: Int?
    var minItems: Int?
    var uniqueItems = false
    var maxContains: Int?
    var minContains: Int?
    var maxProperties: Int?
    var minProperties: Int?
    var required: [String]?
    var dependentRequired: [(String, [String])]?

    // Format (annotation unless asserting).
    var format: String?
    var assertsFormat = false

    init(location: String) {
        self.location = location
    }

    /// Whether evaluation needs the annotations of sibling keywords (the unevaluated* keywords do).
    var needsAnnotations: Bool { unevaluatedItems != nil || unevaluatedProperties != nil }
}
