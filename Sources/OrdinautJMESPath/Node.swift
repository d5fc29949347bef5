import OrdinautCore

/// The syntax tree of a compiled expression.
indirect enum Node: Sendable {
    case identity
    case current
    case field(String)
    case literal(JSONValue)
    case subexpression(Node, Node)
    case index(Int)
    case slice(start: Int?, stop: Int?, step: Int?)
    case indexExpression(Node, Node)
    case projection(Node, Node)
    case valueProjection(Node, Node)
    case flatten(Node)
    case filterProjection(Node, Node, condition: Node)
    case comparator(Comparator, Node, Node)
    case or(Node, Node)
    case and(Node, Node)
    case not(Node)
    case pipe(Node, Node)
    case multiSelectList([Node])
    case multiSelectHash([(String, Node)])
    case function(String, [Node])
    case expressionReference(Node)

    enum Comparator: Sendable {
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    }

    /// The field names this expression reads at its root, in order (for template validation).
    var rootFields: [String] {
        switch self {
        case .field(let name): return [name]
        case .subexpression(let left, _), .indexExpression(let left, _), .projection(let left, _),
             .valueProjection(let left, _), .filterProjection(let left, _, _), .pipe(let left, _):
            return left.rootFields
        case .flatten(let inner), .not(let inner): return inner.rootFields
        case .comparator(_, let left, let right), .or(let left, let right), .and(let left, let right):
            return left.rootFields + right.rootFields
        case .multiSelectList(let nodes), .function(_, let nodes): return nodes.flatMap(\.rootFields)
        case .multiSelectHash(let pairs): return pairs.flatMap { $0.1.rootFields }
        default: return []
        }
    }
}
