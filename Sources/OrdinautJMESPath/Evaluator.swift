import OrdinautCore

/// A compiled expression: the syntax tree turned once into nested closures, so evaluation does no
/// tree walking or pattern matching.
/// Every evaluator takes the budget of the evaluation it is part of.
typealias Evaluator = @Sendable (JSONValue, EvaluationBudget) throws(JMESPathError) -> JSONValue

/// A function argument: a JSON value, or an expression reference (`&name`) passed unevaluated.
enum FunctionArgument {
    case json(JSONValue)
    case expression(Evaluator)
}

enum Compiler {
    static func compile(_ node: Node) -> Evaluator {
        switch node {
        case .identity, .current:
            return { value, budget throws(JMESPathError) in value }
        case .field(let name):
            return { value, budget throws(JMESPathError) in
                guard case .object(let object) = value else { return .null }
                return object[name] ?? .null
            }
        case .literal(let literal):
            return { _, _ throws(JMESPathError) in literal }
        case .subexpression(let left, let right), .indexExpression(let left, let right), .pipe(let left, let right):
            let first = compile(left), second = compile(right)
            return { value, budget throws(JMESPathError) in try second(try first(value, budget), budget) }
        case .index(let index):
            return { value, budget throws(JMESPathError) in
                guard case .array(let items) = value else { return .null }
                let position = index < 0 ? items.count + index : index
                return position >= 0 && position < items.count ? items[position] : .null
            }
        case .slice(let start, let stop, let step):
            return { value, budget throws(JMESPathError) in try budget.built(slice(value, start: start, stop: stop, step: step ?? 1)) }
        case .projection(let left, let right):
            let source = compile(left), each = compile(right)
            return { value, budget throws(JMESPathError) in
                guard case .array(let items) = try source(value, budget) else { return .null }
                return try project(items, each, budget)
            }
        case .valueProjection(let left, let right):
            let source = compile(left), each = compile(right)
            return { value, budget throws(JMESPathError) in
                guard case .object(let object) = try source(value, budget) else { return .null }
                return try project(object.members.map(\.value), each, budget)
            }
        case .flatten(let inner):
            let source = compile(inner)
            return { value, budget throws(JMESPathError) in
                guard case .array(let items) = try source(value, budget) else { return .null }
                try budget.step(items.count)
                var flattened: [JSONValue] = []
                for item in items {
                    if case .array(let nested) = item { flattened.append(contentsOf: nested) } else { flattened.append(item) }
                }
                return try budget.built(.array(flattened))
            }
        case .filterProjection(let left, let right, let condition):
            let source = compile(left), each = compile(right), test = compile(condition)
            return { value, budget throws(JMESPathError) in
                guard case .array(let items) = try source(value, budget) else { return .null }
                try budget.step(items.count)
                var kept: [JSONValue] = []
                for item in items where isTruthy(try test(item, budget)) {
                    let projected = try each(item, budget)
                    if !projected.isNull { kept.append(projected) }
                }
                return try budget.built(.array(kept))
            }
        case .comparator(let comparator, let left, let right):
            let first = compile(left), second = compile(right)
            return { value, budget throws(JMESPathError) in compare(comparator, try first(value, budget), try second(value, budget)) }
        case .or(let left, let right):
            let first = compile(left), second = compile(right)
            return { value, budget throws(JMESPathError) in
                let result = try first(value, budget)
                return isTruthy(result) ? result : try second(value, budget)
            }
        case .and(let left, let right):
            let first = compile(left), second = compile(right)
            return { value, budget throws(JMESPathError) in
                let result = try first(value, budget)
                return isTruthy(result) ? try second(value, budget) : result
            }
        case .not(let inner):
            let operand = compile(inner)
            return { value, budget throws(JMESPathError) in .bool(!isTruthy(try operand(value, budget))) }
        case .multiSelectList(let elements):
            let parts = elements.map(compile)
            return { value, budget throws(JMESPathError) in
                if value.isNull { return .null }
                var results: [JSONValue] = []
                results.reserveCapacity(parts.count)
                for part in parts { results.append(try part(value, budget)) }
                return try budget.built(.array(results))
            }
        case .multiSelectHash(let pairs):
            let parts = pairs.map { ($0.0, compile($0.1)) }
            return { value, budget throws(JMESPathError) in
                if value.isNull { return .null }
                var object = JSONObject()
                for (key, part) in parts { object[key] = try part(value, budget) }
                return try budget.built(.object(object))
            }
        case .function(let name, let arguments):
            enum Compiled {
                case value(Evaluator)
                case reference(Evaluator)
            }
            let compiled: [Compiled] = arguments.map { argument in
                if case .expressionReference(let inner) = argument { return .reference(compile(inner)) }
                return .value(compile(argument))
            }
            return { value, budget throws(JMESPathError) in
                var values: [FunctionArgument] = []
                values.reserveCapacity(compiled.count)
                for argument in compiled {
                    switch argument {
                    case .value(let evaluate): values.append(.json(try evaluate(value, budget)))
                    case .reference(let evaluate): values.append(.expression(evaluate))
                    }
                }
                try budget.step()
                return try budget.built(try Functions.call(name, values, budget))
            }
        case .expressionReference:
            return { _, _ throws(JMESPathError) in
                throw JMESPathError(.invalidType, "an expression reference (&…) can only be a function argument")
            }
        }
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

    private static func project(_ items: [JSONValue], _ each: Evaluator, _ budget: EvaluationBudget) throws(JMESPathError) -> JSONValue {
        try budget.step(items.count)
        var results: [JSONValue] = []
        results.reserveCapacity(items.count)
        for item in items {
            let projected = try each(item, budget)
            if !projected.isNull { results.append(projected) }
        }
        return try budget.built(.array(results))
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
