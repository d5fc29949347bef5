import OrdinautCore

/// What a successful evaluation of one schema learned about which properties and items it
/// evaluated; `unevaluatedProperties` and `unevaluatedItems` consume it.
struct Annotations {
    var properties: Set<String> = []
    var allItems = false
    var itemPrefix = 0
    var containsIndices: Set<Int> = []

    mutating func merge(_ other: Annotations) {
        // Most evaluations record nothing: merging empty sets still costs a call each.
        if !other.properties.isEmpty { properties.formUnion(other.properties) }
        allItems = allItems || other.allItems
        itemPrefix = max(itemPrefix, other.itemPrefix)
        if !other.containsIndices.isEmpty { containsIndices.formUnion(other.containsIndices) }
    }
}

/// Evaluates an instance against a linked `SchemaNode` graph.
struct SchemaEvaluator {
    let formatChecker: FormatChecker
    /// Whether any schema in the graph has `unevaluated*`; only then are evaluated properties and
    /// items worth recording.
    let tracksAnnotations: Bool
    /// Whether any schema in the graph has `$dynamicRef`; only then is the dynamic scope kept.
    let tracksDynamicScope: Bool
    /// Whether failures are recorded with their locations and messages. A first pass records none,
    /// so that a valid instance, the common case, builds no instance paths; an invalid one is
    /// evaluated again to say why.
    let collectsErrors: Bool
    var errors: [SchemaValidationError] = []
    private var dynamicScope: [SchemaNode] = []
    private var depth = 0
    private static let maximumDepth = 512

    init(formatChecker: FormatChecker, tracksAnnotations: Bool, tracksDynamicScope: Bool, collectsErrors: Bool) {
        self.formatChecker = formatChecker
        self.tracksAnnotations = tracksAnnotations
        self.tracksDynamicScope = tracksDynamicScope
        self.collectsErrors = collectsErrors
    }

    mutating func evaluate(_ node: SchemaNode, _ instance: JSONValue, at path: JSONPointer) -> (Bool, Annotations) {
        var annotations = Annotations()
        let valid = evaluate(node, instance, at: path, annotations: &annotations)
        return (valid, annotations)
    }

    mutating func fail(_ node: SchemaNode, _ keyword: String, _ path: JSONPointer, _ message: @autoclosure () -> String) {
        guard collectsErrors else { return }
        errors.append(SchemaValidationError(keyword: keyword, keywordLocation: node.location + "/" + keyword,
                                            instanceLocation: path, message: message()))
    }

    /// The location of member `key` of the instance at `path`, when errors are collected.
    func member(_ path: JSONPointer, _ key: String) -> JSONPointer {
        collectsErrors ? path.appending(key) : path
    }

    /// The location of item `index` of the instance at `path`, when errors are collected.
    func item(_ path: JSONPointer, _ index: Int) -> JSONPointer {
        collectsErrors ? path.appending(index) : path
    }

    /// Replaces the error a subschema `false` just recorded with one that names the parent's keyword.
    mutating func replaceLastFailure(_ node: SchemaNode, _ keyword: String, _ path: JSONPointer, _ message: @autoclosure () -> String) {
        guard collectsErrors else { return }
        errors.removeLast()
        fail(node, keyword, path, message())
    }

    /// Runs `body` with errors captured separately; they are kept only when `keep` says so.
    mutating func trial<T>(_ body: (inout SchemaEvaluator) -> T) -> (T, [SchemaValidationError]) {
        let saved = errors
        errors = []
        let result = body(&self)
        let produced = errors
        errors = saved
        return (result, produced)
    }

    mutating func evaluate(_ node: SchemaNode, _ instance: JSONValue, at path: JSONPointer,
                                   annotations: inout Annotations) -> Bool {
        if let constant = node.constant {
            if !constant && collectsErrors {
                errors.append(SchemaValidationError(keyword: "false", keywordLocation: node.location, instanceLocation: path,
                                                    message: "no value is allowed here"))
            }
            return constant
        }
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth {
            fail(node, "$ref", path, "schema recursion deeper than \(Self.maximumDepth) levels")
            return false
        }
        let entersResource = tracksDynamicScope && dynamicScope.last !== node.resourceRoot
        if entersResource { dynamicScope.append(node.resourceRoot) }
        defer { if entersResource { dynamicScope.removeLast() } }

        var valid = true
        var local = Annotations()

        if let ref = node.ref {
            var sub = Annotations()
            if evaluate(ref, instance, at: path, annotations: &sub) { local.merge(sub) } else { valid = false }
        }
        if let target = node.dynamicRef {
            var resolved = target
            if let anchor = node.dynamicRefAnchor, target.dynamicAnchorName == anchor {
                for resource in dynamicScope {
                    if let candidate = resource.dynamicAnchors[anchor] {
                        resolved = candidate
                        break
                    }
                }
            }
            var sub = Annotations()
            if evaluate(resolved, instance, at: path, annotations: &sub) { local.merge(sub) } else { valid = false }
        }

        valid = evaluateValidation(node, instance, at: path) && valid
        valid = evaluateCombinators(node, instance, at: path, annotations: &local) && valid

        switch instance {
        case .object(let object):
            valid = evaluateObject(node, object, at: path, annotations: &local) && valid
        case .array(let array):
            valid = evaluateArray(node, array, at: path, annotations: &local) && valid
        default:
            break
        }
        if valid { annotations.merge(local) }
        return valid
    }

    private mutating func evaluateCombinators(_ node: SchemaNode, _ instance: JSONValue, at path: JSONPointer,
                                              annotations: inout Annotations) -> Bool {
        var valid = true
        if let allOf = node.allOf {
            for child in allOf {
                var sub = Annotations()
                if evaluate(child, instance, at: path, annotations: &sub) { annotations.merge(sub) } else { valid = false }
            }
        }
        if let anyOf = node.anyOf {
            var matched = false
            let (_, branchErrors) = trial { evaluator in
                for child in anyOf {
                    var sub = Annotations()
                    if evaluator.evaluate(child, instance, at: path, annotations: &sub) {
                        matched = true
                        annotations.merge(sub)
                    }
                }
            }
            if !matched {
                valid = false
                fail(node, "anyOf", path, "does not match any of the \(anyOf.count) alternatives")
                errors.append(contentsOf: branchErrors)
            }
        }
        if let oneOf = node.oneOf {
            var matches: [Int] = []
            var kept = Annotations()
            let (_, branchErrors) = trial { evaluator in
                for (i, child) in oneOf.enumerated() {
                    var sub = Annotations()
                    if evaluator.evaluate(child, instance, at: path, annotations: &sub) {
                        matches.append(i)
                        kept = sub
                    }
                }
            }
            if matches.count == 1 {
                annotations.merge(kept)
            } else {
                valid = false
                if matches.isEmpty {
                    fail(node, "oneOf", path, "does not match any of the \(oneOf.count) alternatives")
                    errors.append(contentsOf: branchErrors)
                } else {
                    fail(node, "oneOf", path, "matches alternatives \(matches.map(String.init).joined(separator: " and ")); exactly one must match")
                }
            }
        }
        if let not = node.not {
            let (matched, _) = trial { evaluator in evaluator.evaluate(not, instance, at: path).0 }
            if matched {
                valid = false
                fail(node, "not", path, "must not match the schema under \"not\"")
            }
        }
        if let condition = node.ifSchema {
            let ((holds, conditionAnnotations), _) = trial { evaluator in evaluator.evaluate(condition, instance, at: path) }
            if holds {
                annotations.merge(conditionAnnotations)
                if let then = node.thenSchema {
                    var sub = Annotations()
                    if evaluate(then, instance, at: path, annotations: &sub) { annotations.merge(sub) } else { valid = false }
                }
            } else if let otherwise = node.elseSchema {
                var sub = Annotations()
                if evaluate(otherwise, instance, at: path, annotations: &sub) { annotations.merge(sub) } else { valid = false }
            }
        }
        return valid
    }
}
