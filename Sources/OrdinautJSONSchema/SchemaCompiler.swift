import OrdinautCore

/// Turns schema documents into linked `SchemaNode` graphs: registers every resource (`$id`), anchor
/// and JSON Pointer location, then resolves `$ref` and `$dynamicRef` against them. References never
/// leave the documents the caller supplied plus the bundled 2020-12 meta-schemas.
final class SchemaCompiler {
    private struct PendingReference {
        let node: SchemaNode
        let target: String
        let isDynamic: Bool
        let location: String
    }

    private static let validationKeywords: Set<String> = [
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains",
        "minContains", "maxProperties", "minProperties", "required", "dependentRequired",
    ]
    private static let validationVocabulary = "https://json-schema.org/draft/2020-12/vocab/validation"
    private static let formatAssertionVocabulary = "https://json-schema.org/draft/2020-12/vocab/format-assertion"

    private var resources: [String: SchemaNode] = [:]
    private var resourceDocuments: [String: JSONValue] = [:]
    private var anchors: [String: SchemaNode] = [:]
    private var pointers: [String: SchemaNode] = [:]
    private var pending: [PendingReference] = []
    /// Every node created, so that the schema can keep them alive.
    private(set) var nodes: [SchemaNode] = []
    private var externalDocuments: [String: JSONValue]
    private let assertFormats: Bool

    init(documents: [String: JSONValue], assertFormats: Bool) {
        externalDocuments = documents
        self.assertFormats = assertFormats
    }

    /// Compiles `document` as the root schema and links every reference reachable from it.
    func compileRoot(_ document: JSONValue, baseURI: String) throws(SchemaError) -> SchemaNode {
        let root = try compileDocument(document, baseURI: baseURI)
        try link()
        return root
    }

    private func compileDocument(_ document: JSONValue, baseURI: String) throws(SchemaError) -> SchemaNode {
        let vocabulary = try vocabularySettings(of: document)
        var scope = Scope(
            base: URIReference(baseURI).withoutFragment, paths: [], resourceRoot: nil,
            validationEnabled: vocabulary.validation, assertFormats: vocabulary.assertFormats
        )
        scope.paths = [(scope.base, JSONPointer.root)]
        resourceDocuments[scope.base] = document
        let root = try compile(document, scope: scope, location: "#")
        // A document whose $id differs from the URI it was retrieved by answers to both.
        if resources[scope.base] == nil { resources[scope.base] = root }
        return root
    }

    /// What the document's `$schema` says about vocabularies: a custom meta-schema may leave out
    /// validation or require format assertion.
    private func vocabularySettings(of document: JSONValue) throws(SchemaError) -> (validation: Bool, assertFormats: Bool) {
        guard let metaURI = document["$schema"]?.stringValue else { return (true, assertFormats) }
        let key = URIReference(metaURI).withoutFragment
        guard let meta = externalDocument(key) ?? resourceDocuments[key],
              let vocabularies = meta["$vocabulary"]?.objectValue
        else { return (true, assertFormats) }
        let validation = vocabularies[Self.validationVocabulary] != nil
        let formats = assertFormats || vocabularies[Self.formatAssertionVocabulary] != nil
        return (validation, formats)
    }

    private func externalDocument(_ uri: String) -> JSONValue? {
        if let document = externalDocuments[uri] { return document }
        if let text = Metaschemas.documents[uri], let parsed = try? JSONParser().parse(text) {
            externalDocuments[uri] = parsed
            return parsed
        }
        return nil
    }

    private struct Scope {
        var base: String
        var paths: [(uri: String, pointer: JSONPointer)]
        var resourceRoot: SchemaNode?
        var validationEnabled: Bool
        var assertFormats: Bool

        func descending(_ token: String) -> Scope {
            var copy = self
            copy.paths = paths.map { ($0.uri, $0.pointer.appending(token)) }
            return copy
        }
    }

    private func compile(_ value: JSONValue, scope incoming: Scope, location: String) throws(SchemaError) -> SchemaNode {
        let node = SchemaNode(location: location)
        nodes.append(node)
        var scope = incoming
        switch value {
        case .bool(let verdict):
            node.constant = verdict
            node.resourceRoot = scope.resourceRoot ?? node
            register(node, scope: scope)
            return node
        case .object:
            break
        default:
            throw SchemaError(location: location, message: "a schema must be an object or a boolean, not \(value.typeName)")
        }
        let object = value.objectValue!

        if let id = object["$id"] {
            guard let idText = id.stringValue else { throw SchemaError(location: location, message: "$id must be a string") }
            let resolved = URIReference(scope.base).resolving(idText)
            if let fragment = resolved.fragment, !fragment.isEmpty {
                throw SchemaError(location: location, message: "$id must not contain a non-empty fragment: \(idText)")
            }
            scope.base = resolved.withoutFragment
            scope.paths.append((scope.base, .root))
            scope.resourceRoot = node
            resources[scope.base] = node
            resourceDocuments[scope.base] = value
        }
        if scope.resourceRoot == nil {
            scope.resourceRoot = node
            resources[scope.base] = resources[scope.base] ?? node
        }
        node.resourceRoot = scope.resourceRoot
        register(node, scope: scope)

        if let anchor = object["$anchor"]?.stringValue {
            anchors[scope.base + "#" + anchor] = node
        }
        if let anchor = object["$dynamicAnchor"]?.stringValue {
            anchors[scope.base + "#" + anchor] = node
            node.dynamicAnchorName = anchor
            if scope.resourceRoot!.dynamicAnchors[anchor] == nil {
                scope.resourceRoot!.dynamicAnchors[anchor] = node
            }
        }
        if let ref = object["$ref"] {
            guard let text = ref.stringValue else { throw SchemaError(location: location, message: "$ref must be a string") }
            let target = URIReference(scope.base).resolving(text).text
            pending.append(PendingReference(node: node, target: target, isDynamic: false, location: location + "/$ref"))
        }
        if let ref = object["$dynamicRef"] {
            guard let text = ref.stringValue else { throw SchemaError(location: location, message: "$dynamicRef must be a string") }
            let resolved = URIReference(scope.base).resolving(text)
            if let fragment = resolved.fragment, !fragment.isEmpty, !fragment.hasPrefix("/") {
                node.dynamicRefAnchor = fragment
            }
            pending.append(PendingReference(node: node, target: resolved.text, isDynamic: true, location: location + "/$dynamicRef"))
        }

        func sub(_ keyword: String) throws(SchemaError) -> SchemaNode? {
            guard let child = object[keyword] else { return nil }
            return try compile(child, scope: scope.descending(keyword), location: location + "/" + keyword)
        }
        func subArray(_ keyword: String) throws(SchemaError) -> [SchemaNode]? {
            guard let child = object[keyword] else { return nil }
            guard let array = child.arrayValue, !array.isEmpty else {
                throw SchemaError(location: location + "/" + keyword, message: "\(keyword) must be a non-empty array of schemas")
            }
            var nodes: [SchemaNode] = []
            let keywordScope = scope.descending(keyword)
            for (i, element) in array.enumerated() {
                nodes.append(try compile(element, scope: keywordScope.descending(String(i)), location: location + "/\(keyword)/\(i)"))
            }
            return nodes
        }
        func subMap(_ keyword: String) throws(SchemaError) -> [(String, SchemaNode)]? {
            guard let child = object[keyword] else { return nil }
            guard let members = child.objectValue else {
                throw SchemaError(location: location + "/" + keyword, message: "\(keyword) must be an object of schemas")
            }
            var nodes: [(String, SchemaNode)] = []
            let keywordScope = scope.descending(keyword)
            for (key, element) in members {
                nodes.append((key, try compile(element, scope: keywordScope.descending(key), location: location + "/\(keyword)/" + escape(key))))
            }
            return nodes
        }

        if let defs = object["$defs"] {
            guard defs.objectValue != nil else { throw SchemaError(location: location + "/$defs", message: "$defs must be an object") }
            _ = try subMap("$defs")
        }
        node.allOf = try subArray("allOf")
        node.anyOf = try subArray("anyOf")
        node.oneOf = try subArray("oneOf")
        node.not = try sub("not")
        node.ifSchema = try sub("if")
        node.thenSchema = try sub("then")
        node.elseSchema = try sub("else")
        node.dependentSchemas = try subMap("dependentSchemas")
        node.prefixItems = try subArray("prefixItems")
        node.items = try sub("items")
        node.contains = try sub("contains")
        if let properties = try subMap("properties") { node.properties = Dictionary(properties, uniquingKeysWith: { a, _ in a }) }
        if let patterns = try subMap("patternProperties") {
            var compiled: [(PatternMatcher, SchemaNode)] = []
            for (source, child) in patterns {
                guard let matcher = PatternMatcher(source) else {
                    throw SchemaError(location: location + "/patternProperties", message: "invalid regular expression \(source)")
                }
                compiled.append((matcher, child))
            }
            node.patternProperties = compiled
        }
        node.additionalProperties = try sub("additionalProperties")
        node.propertyNames = try sub("propertyNames")
        node.unevaluatedItems = try sub("unevaluatedItems")
        node.unevaluatedProperties = try sub("unevaluatedProperties")

        if scope.validationEnabled {
            try compileValidation(object, into: node, location: location)
        }
        if let format = object["format"]?.stringValue {
            node.format = format
            node.assertsFormat = scope.assertFormats
        }
        return node
    }

    private func compileValidation(_ object: JSONObject, into node: SchemaNode, location: String) throws(SchemaError) {
        func count(_ keyword: String) throws(SchemaError) -> Int? {
            guard let value = object[keyword] else { return nil }
            guard let integer = value.integerValue, integer >= 0 else {
                throw SchemaError(location: location + "/" + keyword, message: "\(keyword) must be a non-negative integer")
            }
            return Int(clamping: integer)
        }
        func number(_ keyword: String) throws(SchemaError) -> JSONValue? {
            guard let value = object[keyword] else { return nil }
            guard value.isNumber else { throw SchemaError(location: location + "/" + keyword, message: "\(keyword) must be a number") }
            return value
        }
        if let type = object["type"] {
            let valid: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]
            let names: [String]
            if let single = type.stringValue {
                names = [single]
            } else if let list = type.arrayValue, list.allSatisfy({ $0.stringValue != nil }) {
                names = list.compactMap(\.stringValue)
            } else {
                throw SchemaError(location: location + "/type", message: "type must be a type name or an array of them")
            }
            if let unknown = names.first(where: { !valid.contains($0) }) {
                throw SchemaError(location: location + "/type", message: "unknown type \"\(unknown)\"")
            }
            node.types = names
        }
        if let values = object["enum"] {
            guard let list = values.arrayValue else { throw SchemaError(location: location + "/enum", message: "enum must be an array") }
            node.enumValues = list
        }
        node.constValue = object["const"]
        node.multipleOf = try number("multipleOf")
        if let divisor = node.multipleOf, (divisor.doubleValue ?? 0) <= 0 {
            throw SchemaError(location: location + "/multipleOf", message: "multipleOf must be greater than 0")
        }
        node.maximum = try number("maximum")
        node.exclusiveMaximum = try number("exclusiveMaximum")
        node.minimum = try number("minimum")
        node.exclusiveMinimum = try number("exclusiveMinimum")
        node.maxLength = try count("maxLength")
        node.minLength = try count("minLength")
        if let pattern = object["pattern"] {
            guard let source = pattern.stringValue, let matcher = PatternMatcher(source) else {
                throw SchemaError(location: location + "/pattern", message: "pattern must be a valid regular expression")
            }
            node.pattern = matcher
        }
        node.maxItems = try count("maxItems")
        node.minItems = try count("minItems")
        if let unique = object["uniqueItems"] {
            guard let flag = unique.boolValue else { throw SchemaError(location: location + "/uniqueItems", message: "uniqueItems must be a boolean") }
            node.uniqueItems = flag
        }
        node.maxContains = try count("maxContains")
        node.minContains = try count("minContains")
        node.maxProperties = try count("maxProperties")
        node.minProperties = try count("minProperties")
        if let required = object["required"] {
            guard let list = required.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw SchemaError(location: location + "/required", message: "required must be an array of strings")
            }
            node.required = list.compactMap(\.stringValue)
        }
        if let dependent = object["dependentRequired"] {
            guard let members = dependent.objectValue else {
                throw SchemaError(location: location + "/dependentRequired", message: "dependentRequired must be an object")
            }
            var rules: [(String, [String])] = []
            for (key, value) in members {
                guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw SchemaError(location: location + "/dependentRequired/" + escape(key), message: "must be an array of strings")
                }
                rules.append((key, list.compactMap(\.stringValue)))
            }
            node.dependentRequired = rules
        }
    }

    private func register(_ node: SchemaNode, scope: Scope) {
        for (uri, pointer) in scope.paths {
            let key = uri + "#" + pointer.description
            if pointers[key] == nil { pointers[key] = node }
        }
    }

    private func escape(_ token: String) -> String {
        JSONPointer(tokens: [token]).description.dropFirst().description
    }

    private func link() throws(SchemaError) {
        while let reference = pending.popLast() {
            let target = try resolve(reference.target, from: reference.location)
            if reference.isDynamic {
                reference.node.dynamicRef = target
            } else {
                reference.node.ref = target
            }
        }
    }

    private func resolve(_ target: String, from location: String) throws(SchemaError) -> SchemaNode {
        let uri = URIReference(target)
        let document = uri.withoutFragment
        let fragment = uri.fragment ?? ""
        if resources[document] == nil {
            guard let external = externalDocument(document) else {
                throw SchemaError(location: location, message: "cannot resolve \(target): no schema with that URI is known (remote schemas are never fetched)")
            }
            _ = try compileDocument(external, baseURI: document)
        }
        if fragment.isEmpty, let node = resources[document] { return node }
        if fragment.hasPrefix("/") {
            let key = document + "#" + fragment
            if let node = pointers[key] { return node }
            guard let pointer = JSONPointer(Substring(percentDecoded(fragment))) else {
                throw SchemaError(location: location, message: "invalid JSON Pointer in \(target)")
            }
            let decodedKey = document + "#" + pointer.description
            if let node = pointers[decodedKey] { return node }
            guard let root = resourceDocuments[document], let value = pointer.resolve(in: root) else {
                throw SchemaError(location: location, message: "cannot resolve \(target): nothing at that pointer")
            }
            // A pointer into a location no keyword declares a schema (an unknown keyword): compile it on demand.
            let scope = Scope(base: document, paths: [(document, pointer)], resourceRoot: resources[document],
                              validationEnabled: true, assertFormats: assertFormats)
            return try compile(value, scope: scope, location: "#" + pointer.description)
        }
        if let node = anchors[document + "#" + fragment] { return node }
        throw SchemaError(location: location, message: "cannot resolve \(target): no anchor \"\(fragment)\"")
    }

    private func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
