import OrdinautCore

/// Evaluates a syntax tree against a JSON value.
struct Interpreter {
    /// A value during evaluation: JSON, or an expression reference passed to a function (`&name`).
    enum Value {
        case json(JSONValue)
        case expression(Node)
    }

    static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let flag): return flag
        case .string(let text): return !text.isEmpty
        case .array(let items): return !items.isEmpty
        case .object(let object): return !object.isEmpty
        default: return true
        }
    }

    func evaluate(_ node: Node, _ value: JSONValue) throws(JMESPathError) -> JSONValue {
        switch node {
        case .identity, .current:
            return value
        case .field(let name):
            guard case .object(let object) = value else { return .null }
            return object[name] ?? .null
        case .literal(let literal):
            return literal
        case .subexpression(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .index(let index):
            guard case .array(let items) = value else { return .null }
            let position = index < 0 ? items.count + index : index
            return position >= 0 && position < items.count ? items[position] : .null
        case .slice(let start, let stop, let step):
            return Self.slice(value, start: start, stop: stop, step: step ?? 1)
        case .indexExpression(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .projection(let left, let right):
            guard case .array(let items) = try evaluate(left, value) else { return .null }
            return try project(items, right)
        case .valueProjection(let left, let right):
            guard case .object(let object) = try evaluate(left, value) else { return .null }
            return try project(object.members.map(\.value), right)
        case .flatten(let inner):
            guard case .array(let items) = try evaluate(inner, value) else { return .null }
            var flattened: [JSONValue] = []
            for item in items {
                if case .array(let nested) = item { flattened.append(contentsOf: nested) } else { flattened.append(item) }
            }
            return .array(flattened)
        case .filterProjection(let left, let right, let condition):
            guard case .array(let items) = try evaluate(left, value) else { return .null }
            var kept: [JSONValue] = []
            for item in items where Self.isTruthy(try evaluate(condition, item)) {
                let projected = try evaluate(right, item)
                if !projected.isNull { kept.append(projected) }
            }
            return .array(kept)
        case .comparator(let comparator, let left, let right):
            return Self.compare(comparator, try evaluate(left, value), try evaluate(right, value))
        case .or(let left, let right):
            let first = try evaluate(left, value)
            return Self.isTruthy(first) ? first : try evaluate(right, value)
        case .and(let left, let right):
            let first = try evaluate(left, value)
            return Self.isTruthy(first) ? try evaluate(right, value) : first
        case .not(let inner):
            return .bool(!Self.isTruthy(try evaluate(inner, value)))
        case .pipe(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .multiSelectList(let elements):
            if value.isNull { return .null }
            var results: [JSONValue] = []
            for element in elements { results.append(try evaluate(element, value)) }
            return .array(results)
        case .multiSelectHash(let pairs):
            if value.isNull { return .null }
            var object = JSONObject()
            for (key, element) in pairs { object[key] = try evaluate(element, value) }
            return .object(object)
        case .function(let name, let arguments):
            var values: [Value] = []
            for argument in arguments {
                if case .expressionReference(let inner) = argument {
                    values.append(.expression(inner))
                } else {
                    values.append(.json(try evaluate(argument, value)))
                }
            }
            return try Functions.call(name, values, interpreter: self)
        case .expressionReference:
            throw JMESPathError(.invalidType, "an expression reference (&…) can only be a function argument")
        }
    }

    private func project(_ items: [JSONValue], _ right: Node) throws(JMESPathError) -> JSONValue {
        var results: [JSONValue] = []
        results.reserveCapacity(items.count)
        for item in items {
            let projected = try evaluate(right, item)
            if !projected.isNull { results.append(projected) }
        }
        return .array(results)
    }

    static func slice(_ value: JSONValue, start: Int?, stop: Int?, step: Int) -> JSONValue {
        guard case .array(let items) = value else { return .null }
        let count = items.count
        func clamp(_ index: Int?, default fallback: Int) -> Int {
            guard var index else { return fallback }
            if index < 0 {
                index += count
                if index < 0 { index = step < 0 ? -1 : 0 }
            } else if index >= count {
                index = step < 0 ? count - 1 : count
            }
            return index
        }
        let first = clamp(start, default: step < 0 ? count - 1 : 0)
        let end = clamp(stop, default: step < 0 ? -1 : count)
        var result: [JSONValue] = []
        var i = first
        if step > 0 {
            while i < end { result.append(items[i]); i += step }
        } else {
            while i > end { result.append(items[i]); i += step }
        }
        return .array(result)
    }

    static func compare(_ comparator: Node.Comparator, _ a: JSONValue, _ b: JSONValue) -> JSONValue {
        switch comparator {
        case .equal: return .bool(a == b)
        case .notEqual: return .bool(a != b)
        default:
            if case .integer(let x) = a, case .integer(let y) = b {
                switch comparator {
                case .less: return .bool(x < y)
                case .lessOrEqual: return .bool(x <= y)
                case .greater: return .bool(x > y)
                default: return .bool(x >= y)
                }
            }
            guard let x = a.doubleValue, let y = b.doubleValue else { return .null }
            switch comparator {
            case .less: return .bool(x < y)
            case .lessOrEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            default: return .bool(x >= y)
            }
        }
    }
}
