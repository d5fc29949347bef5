import OrdinautCore

/// The built-in functions of the JMESPath specification, checked for arity and argument types.
enum Functions {
    static func call(_ name: String, _ arguments: [FunctionArgument], _ budget: EvaluationBudget) throws(JMESPathError) -> JSONValue {
        func arity(_ count: Int) throws(JMESPathError) {
            guard arguments.count == count else {
                throw JMESPathError(.invalidArity, "\(name)() takes \(count) argument\(count == 1 ? "" : "s"), got \(arguments.count)")
            }
        }
        func atLeast(_ count: Int) throws(JMESPathError) {
            guard arguments.count >= count else {
                throw JMESPathError(.invalidArity, "\(name)() takes at least \(count) argument\(count == 1 ? "" : "s"), got \(arguments.count)")
            }
        }
        func json(_ index: Int) throws(JMESPathError) -> JSONValue {
            guard case .json(let value) = arguments[index] else {
                throw JMESPathError(.invalidType, "\(name)() argument \(index + 1) must be a value, not an expression reference")
            }
            return value
        }
        func expression(_ index: Int) throws(JMESPathError) -> Evaluator {
            guard case .expression(let node) = arguments[index] else {
                throw JMESPathError(.invalidType, "\(name)() argument \(index + 1) must be an expression reference (&…)")
            }
            return node
        }
        func number(_ index: Int) throws(JMESPathError) -> Double {
            guard let value = try json(index).doubleValue else { throw typeError(name, index, "a number", try json(index)) }
            return value
        }
        func string(_ index: Int) throws(JMESPathError) -> String {
            guard let value = try json(index).stringValue else { throw typeError(name, index, "a string", try json(index)) }
            return value
        }
        func array(_ index: Int) throws(JMESPathError) -> [JSONValue] {
            guard let value = try json(index).arrayValue else { throw typeError(name, index, "an array", try json(index)) }
            return value
        }
        func object(_ index: Int) throws(JMESPathError) -> JSONObject {
            guard let value = try json(index).objectValue else { throw typeError(name, index, "an object", try json(index)) }
            return value
        }

        switch name {
        case "abs":
            try arity(1)
            let value = try json(0)
            if case .integer(let integer) = value, integer != .min { return .integer(abs(integer)) }
            return .number(abs(try number(0)))
        case "avg":
            try arity(1)
            let items = try array(0)
            if items.isEmpty { return .null }
            var sum = 0.0
            for item in items {
                guard let value = item.doubleValue else { throw typeError(name, 0, "an array of numbers", item) }
                sum += value
            }
            return .number(sum / Double(items.count))
        case "ceil":
            try arity(1)
            return integral((try number(0)).rounded(.up))
        case "floor":
            try arity(1)
            return integral((try number(0)).rounded(.down))
        case "contains":
            try arity(2)
            let subject = try json(0), search = try json(1)
            switch subject {
            case .array(let items): return .bool(items.contains(search))
            case .string(let text):
                guard let needle = search.stringValue else { return .bool(false) }
                return .bool(needle.isEmpty || text.contains(needle))
            default: throw typeError(name, 0, "an array or a string", subject)
            }
        case "ends_with":
            try arity(2)
            return .bool(try string(0).unicodeScalars.elementsEqualSuffix(try string(1).unicodeScalars))
        case "starts_with":
            try arity(2)
            return .bool(try string(0).unicodeScalars.starts(with: try string(1).unicodeScalars))
        case "join":
            try arity(2)
            let glue = try string(0)
            var parts: [String] = []
            let items = try array(1)
            try budget.step(items.count)
            for item in items {
                guard let text = item.stringValue else { throw typeError(name, 1, "an array of strings", item) }
                parts.append(text)
            }
            // Counted before it is built: a long glue between many parts is itself the amplifier.
            try budget.charge(bytes: parts.reduce(glue.utf8.count * max(0, parts.count - 1)) { $0 + $1.utf8.count })
            return .string(parts.joined(separator: glue))
        case "keys":
            try arity(1)
            return .array(try object(0).keys.map { .string($0) })
        case "values":
            try arity(1)
            return .array(try object(0).members.map(\.value))
        case "length":
            try arity(1)
            switch try json(0) {
            case .string(let text): return .integer(Int64(text.unicodeScalars.count))
            case .array(let items): return .integer(Int64(items.count))
            case .object(let members): return .integer(Int64(members.count))
            case let other: throw typeError(name, 0, "a string, an array or an object", other)
            }
        case "map":
            try arity(2)
            let node = try expression(0)
            var results: [JSONValue] = []
            let items = try array(1)
            try budget.step(items.count)
            for item in items { results.append(try node(item, budget)) }
            return .array(results)
        case "max", "min":
            try arity(1)
            let items = try array(0)
            return try extreme(items, name: name, wantMax: name == "max", key: { $0 })
        case "max_by", "min_by":
            try arity(2)
            let items = try array(0)
            let node = try expression(1)
            try budget.step(items.count)
            return try extreme(items, name: name, wantMax: name == "max_by") { item throws(JMESPathError) in
                try node(item, budget)
            }
        case "merge":
            var merged = JSONObject()
            for index in arguments.indices {
                for (key, value) in try object(index) { merged[key] = value }
            }
            return .object(merged)
        case "not_null":
            try atLeast(1)
            for index in arguments.indices {
                let value = try json(index)
                if !value.isNull { return value }
            }
            return .null
        case "reverse":
            try arity(1)
            switch try json(0) {
            case .string(let text): return .string(String(String.UnicodeScalarView(text.unicodeScalars.reversed())))
            case .array(let items): return .array(items.reversed())
            case let other: throw typeError(name, 0, "a string or an array", other)
            }
        case "sort":
            try arity(1)
            let items = try array(0)
            try budget.step(items.count)
            return .array(try sorted(items, name: name) { $0 })
        case "sort_by":
            try arity(2)
            let items = try array(0)
            let node = try expression(1)
            try budget.step(items.count)
            return .array(try sorted(items, name: name) { item throws(JMESPathError) in try node(item, budget) })
        case "sum":
            try arity(1)
            var integerSum: Int64 = 0
            var doubleSum = 0.0
            var allIntegers = true
            for item in try array(0) {
                switch item {
                case .integer(let value):
                    let (added, overflow) = integerSum.addingReportingOverflow(value)
                    if overflow { allIntegers = false } else { integerSum = added }
                    doubleSum += Double(value)
                case .number(let value):
                    allIntegers = false
                    doubleSum += value
                default: throw typeError(name, 0, "an array of numbers", item)
                }
            }
            return allIntegers ? .integer(integerSum) : .number(doubleSum)
        case "to_array":
            try arity(1)
            let value = try json(0)
            if case .array = value { return value }
            return .array([value])
        case "to_string":
            try arity(1)
            let value = try json(0)
            if case .string = value { return value }
            // A value made of shared parts can be far larger written out than in memory.
            return .string(try budget.built(value).encodedString())
        case "to_number":
            try arity(1)
            switch try json(0) {
            case .integer, .number: return try json(0)
            case .string(let text):
                guard let parsed = try? JSONParser().parse(text), parsed.isNumber else { return .null }
                return parsed
            default: return .null
            }
        case "type":
            try arity(1)
            switch try json(0) {
            case .null: return "null"
            case .bool: return "boolean"
            case .integer, .number: return "number"
            case .string: return "string"
            case .array: return "array"
            case .object: return "object"
            }
        default:
            throw JMESPathError(.unknownFunction, "unknown function \(name)()")
        }
    }

    private static func typeError(_ name: String, _ index: Int, _ expected: String, _ actual: JSONValue) -> JMESPathError {
        JMESPathError(.invalidType, "\(name)() argument \(index + 1) must be \(expected), got \(actual.typeName == "integer" ? "number" : actual.typeName)")
    }

    private static func integral(_ value: Double) -> JSONValue {
        if let exact = Int64(exactly: value) { return .integer(exact) }
        return .number(value)
    }

    private enum SortKey {
        case number(Double)
        case string(String)
    }

    private static func sortKey(_ value: JSONValue, name: String) -> SortKey? {
        if let number = value.doubleValue { return .number(number) }
        if let text = value.stringValue { return .string(text) }
        return nil
    }

    /// Keys must be all numbers or all strings.
    private static func keys(_ items: [JSONValue], name: String, key: (JSONValue) throws(JMESPathError) -> JSONValue) throws(JMESPathError) -> [SortKey] {
        var keys: [SortKey] = []
        keys.reserveCapacity(items.count)
        var sawNumber = false, sawString = false
        for item in items {
            let value = try key(item)
            guard let sortKey = sortKey(value, name: name) else {
                throw JMESPathError(.invalidType, "\(name)() can only order numbers or strings, got \(value.typeName)")
            }
            if case .number = sortKey { sawNumber = true } else { sawString = true }
            if sawNumber && sawString { throw JMESPathError(.invalidType, "\(name)() cannot order numbers and strings together") }
            keys.append(sortKey)
        }
        return keys
    }

    private static func precedes(_ a: SortKey, _ b: SortKey) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.string(let x), .string(let y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        default: return false
        }
    }

    private static func sorted(_ items: [JSONValue], name: String, key: (JSONValue) throws(JMESPathError) -> JSONValue) throws(JMESPathError) -> [JSONValue] {
        let keys = try keys(items, name: name, key: key)
        // A stable sort: equal keys keep their order.
        let order = items.indices.sorted { i, j in
            precedes(keys[i], keys[j]) || (!precedes(keys[j], keys[i]) && i < j)
        }
        return order.map { items[$0] }
    }

    private static func extreme(_ items: [JSONValue], name: String, wantMax: Bool, key: (JSONValue) throws(JMESPathError) -> JSONValue) throws(JMESPathError) -> JSONValue {
        guard !items.isEmpty else { return .null }
        let keys = try keys(items, name: name, key: key)
        var best = 0
        for i in 1..<items.count where wantMax ? precedes(keys[best], keys[i]) : precedes(keys[i], keys[best]) {
            best = i
        }
        return items[best]
    }
}

extension String.UnicodeScalarView {
    func elementsEqualSuffix(_ suffix: String.UnicodeScalarView) -> Bool {
        let mine = Array(self), theirs = Array(suffix)
        return theirs.count <= mine.count && Array(mine[(mine.count - theirs.count)...]) == theirs
    }
}
