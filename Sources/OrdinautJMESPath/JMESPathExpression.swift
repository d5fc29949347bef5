import OrdinautCore
import Synchronization

/// A compiled JMESPath expression: parse once, evaluate against many documents.
public struct JMESPathExpression: Sendable {
    /// The expression text.
    public let source: String
    let root: Node
    private let evaluator: Evaluator

    /// Compiles `source`; a syntax error names the character where parsing failed.
    public init(_ source: String) throws(JMESPathError) {
        self.source = source
        root = try Parser.parse(source)
        evaluator = Compiler.compile(root)
    }

    /// Evaluates the expression against `data`.
    public func search(_ data: JSONValue) throws(JMESPathError) -> JSONValue {
        try evaluator(data)
    }

    /// The names the expression reads from the root of the data (for `a.b`, `a`), in order.
    public var rootFields: [String] {
        var seen = Set<String>()
        return root.rootFields.filter { seen.insert($0).inserted }
    }

    /// JMESPath truthiness: `false` for null, false, "", [] and {}; `true` for everything else,
    /// including 0.
    public static func isTruthy(_ value: JSONValue) -> Bool {
        Compiler.isTruthy(value)
    }

    private static let cache = Mutex<[String: JMESPathExpression]>([:])
    private static let cacheLimit = 4096

    /// A compiled expression from a process-wide cache, compiling it on first use.
    public static func cached(_ source: String) throws(JMESPathError) -> JMESPathExpression {
        if let hit = cache.withLock({ $0[source] }) { return hit }
        let compiled = try JMESPathExpression(source)
        cache.withLock { cache in
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[source] = compiled
        }
        return compiled
    }
}
