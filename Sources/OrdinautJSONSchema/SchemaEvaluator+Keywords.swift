import OrdinautCore

/// The keywords that look at the instance itself: validation keywords, and the applicators of
/// objects and arrays.
extension SchemaEvaluator {
    mutating func evaluateValidation(_ node: SchemaNode, _ instance: JSONValue, at path: JSONPointer) -> Bool {
        var valid = true
        if let types = node.types, !types.contains(where: { Self.matches(type: $0, instance) }) {
            valid = false
            fail(node, "type", path, "expected \(types.joined(separator: " or ")), got \(instance.typeName)")
        }
        if let values = node.enumValues, !values.contains(instance) {
            valid = false
            let listed = values.prefix(10).map(\.description).joined(separator: ", ")
            fail(node, "enum", path, "must be one of \(listed)\(values.count > 10 ? ", …" : "")")
        }
        if let constant = node.constValue, constant != instance {
            valid = false
            fail(node, "const", path, "must equal \(constant)")
        }
        if instance.isNumber {
            valid = evaluateNumber(node, instance, at: path) && valid
        }
        if case .string(let text) = instance {
            if node.maxLength != nil || node.minLength != nil {
                let length = text.unicodeScalars.count
                if let maximum = node.maxLength, length > maximum {
                    valid = false
                    fail(node, "maxLength", path, "must be at most \(maximum) characters long, is \(length)")
                }
                if let minimum = node.minLength, length < minimum {
                    valid = false
                    fail(node, "minLength", path, "must be at least \(minimum) characters long, is \(length)")
                }
            }
            if let pattern = node.pattern, !pattern.matches(text) {
                valid = false
                fail(node, "pattern", path, "must match the pattern \(pattern.source)")
            }
        }
        if node.assertsFormat, let format = node.format, !formatChecker.conforms(instance, to: format) {
            valid = false
            fail(node, "format", path, "is not a valid \(format)")
        }
        return valid
    }

    static func matches(type: String, _ instance: JSONValue) -> Bool {
        switch (type, instance) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("number", .integer), ("number", .number), ("integer", .integer): return true
        case ("integer", .number(let value)): return value.isFinite && value.rounded() == value
        default: return false
        }
    }

    mutating func evaluateNumber(_ node: SchemaNode, _ instance: JSONValue, at path: JSONPointer) -> Bool {
        var valid = true
        if let maximum = node.maximum, Self.compare(instance, maximum) > 0 {
            valid = false
            fail(node, "maximum", path, "must be at most \(maximum)")
        }
        if let maximum = node.exclusiveMaximum, Self.compare(instance, maximum) >= 0 {
            valid = false
            fail(node, "exclusiveMaximum", path, "must be less than \(maximum)")
        }
        if let minimum = node.minimum, Self.compare(instance, minimum) < 0 {
            valid = false
            fail(node, "minimum", path, "must be at least \(minimum)")
        }
        if let minimum = node.exclusiveMinimum, Self.compare(instance, minimum) <= 0 {
            valid = false
            fail(node, "exclusiveMinimum", path, "must be greater than \(minimum)")
        }
        if let divisor = node.multipleOf, !Self.isMultiple(instance, of: divisor) {
            valid = false
            fail(node, "multipleOf", path, "must be a multiple of \(divisor)")
        }
        return valid
    }

    /// Compares two JSON numbers exactly when both are integers.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .integer(let x) = a, case .integer(let y) = b { return x < y ? -1 : (x > y ? 1 : 0) }
        let x = a.doubleValue!, y = b.doubleValue!
        return x < y ? -1 : (x > y ? 1 : 0)
    }

    static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        if case .integer(let x) = value, case .integer(let y) = divisor { return x % y == 0 }
        let x = value.doubleValue!, y = divisor.doubleValue!
        let quotient = x / y
        guard quotient.isFinite else { return false }
        if quotient.rounded() == quotient { return true }
        // Tolerate the representation error of decimal fractions such as 0.0075 / 0.0001.
        return abs(quotient - quotient.rounded()) < 1e-9 * max(1, abs(quotient))
    }

    mutating func evaluateObject(_ node: SchemaNode, _ object: JSONObject, at path: JSONPointer,
                                         annotations: inout Annotations) -> Bool {
        var valid = true
        if let maximum = node.maxProperties, object.count > maximum {
            valid = false
            fail(node, "maxProperties", path, "must have at most \(maximum) properties, has \(object.count)")
        }
        if let minimum = node.minProperties, object.count < minimum {
            valid = false
            fail(node, "minProperties", path, "must have at least \(minimum) properties, has \(object.count)")
        }
        if let required = node.required {
            let missing = required.filter { object[$0] == nil }
            if !missing.isEmpty {
                valid = false
                fail(node, "required", path, "missing required propert\(missing.count == 1 ? "y" : "ies") \(missing.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
        }
        if let rules = node.dependentRequired {
            for (trigger, needed) in rules where object[trigger] != nil {
                let missing = needed.filter { object[$0] == nil }
                if !missing.isEmpty {
                    valid = false
                    fail(node, "dependentRequired", path, "property \"\(trigger)\" requires \(missing.map { "\"\($0)\"" }.joined(separator: ", "))")
                }
            }
        }
        if let dependents = node.dependentSchemas {
            for (trigger, schema) in dependents where object[trigger] != nil {
                var sub = Annotations()
                if evaluate(schema, .object(object), at: path, annotations: &sub) { annotations.merge(sub) } else { valid = false }
            }
        }
        if let names = node.propertyNames {
            for (key, _) in object where !evaluate(names, .string(key), at: member(path, key)).0 {
                valid = false
                fail(node, "propertyNames", path, "property name \"\(key)\" is not allowed")
            }
        }
        let hasApplicators = node.properties != nil || node.patternProperties != nil || node.additionalProperties != nil
        if hasApplicators {
            for (key, value) in object {
                var matched = false
                if let schema = node.properties?[key] {
                    matched = true
                    if tracksAnnotations { annotations.properties.insert(key) }
                    if !evaluate(schema, value, at: member(path, key)).0 { valid = false }
                }
                if let patterns = node.patternProperties {
                    for (pattern, schema) in patterns where pattern.matches(key) {
                        matched = true
                        if tracksAnnotations { annotations.properties.insert(key) }
                        if !evaluate(schema, value, at: member(path, key)).0 { valid = false }
                    }
                }
                if !matched, let additional = node.additionalProperties {
                    if tracksAnnotations { annotations.properties.insert(key) }
                    if !evaluate(additional, value, at: member(path, key)).0 {
                        valid = false
                        if additional.constant == false {
                            replaceLastFailure(node, "additionalProperties", path, "property \"\(key)\" is not allowed")
                        }
                    }
                }
            }
        }
        if let unevaluated = node.unevaluatedProperties {
            for (key, value) in object where !annotations.properties.contains(key) {
                if evaluate(unevaluated, value, at: member(path, key)).0 {
                    annotations.properties.insert(key)
                } else {
                    valid = false
                    if unevaluated.constant == false {
                        replaceLastFailure(node, "unevaluatedProperties", path, "property \"\(key)\" is not allowed")
                    }
                }
            }
        }
        return valid
    }

    mutating func evaluateArray(_ node: SchemaNode, _ array: [JSONValue], at path: JSONPointer,
                                        annotations: inout Annotations) -> Bool {
        var valid = true
        if let maximum = node.maxItems, array.count > maximum {
            valid = false
            fail(node, "maxItems", path, "must have at most \(maximum) items, has \(array.count)")
        }
        if let minimum = node.minItems, array.count < minimum {
            valid = false
            fail(node, "minItems", path, "must have at least \(minimum) items, has \(array.count)")
        }
        if node.uniqueItems {
            var seen = Set<JSONValue>()
            for (i, element) in array.enumerated() where !seen.insert(element).inserted {
                valid = false
                fail(node, "uniqueItems", path, "items must be unique; item \(i) repeats an earlier one")
                break
            }
        }
        if let prefix = node.prefixItems {
            for (i, schema) in prefix.enumerated() where i < array.count {
                if !evaluate(schema, array[i], at: item(path, i)).0 { valid = false }
            }
            annotations.itemPrefix = max(annotations.itemPrefix, min(prefix.count, array.count))
        }
        if let items = node.items {
            let start = node.prefixItems?.count ?? 0
            if start < array.count {
                for i in start..<array.count where !evaluate(items, array[i], at: item(path, i)).0 {
                    valid = false
                }
            }
            annotations.allItems = true
        }
        if let contains = node.contains {
            var matching: Set<Int> = []
            let _ = trial { evaluator in
                for (i, element) in array.enumerated() where evaluator.evaluate(contains, element, at: evaluator.item(path, i)).0 {
                    matching.insert(i)
                }
            }
            let minimum = node.minContains ?? 1
            if matching.count < minimum {
                valid = false
                fail(node, node.minContains == nil ? "contains" : "minContains", path,
                     "must contain at least \(minimum) matching item\(minimum == 1 ? "" : "s"), has \(matching.count)")
            }
            if let maximum = node.maxContains, matching.count > maximum {
                valid = false
                fail(node, "maxContains", path, "must contain at most \(maximum) matching items, has \(matching.count)")
            }
            if tracksAnnotations { annotations.containsIndices.formUnion(matching) }
        }
        if let unevaluated = node.unevaluatedItems, !annotations.allItems {
            for i in annotations.itemPrefix..<array.count where !annotations.containsIndices.contains(i) {
                if !evaluate(unevaluated, array[i], at: item(path, i)).0 { valid = false }
            }
            annotations.allItems = true
        }
        return valid
    }
}
