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

    /// Evaluates the expression against `data` under `budget`, which may be shared with other
    /// evaluations done for the same purpose.
    public func search(_ data: JSONValue, budget: EvaluationBudget) throws(JMESPathError) -> JSONValue {
        try evaluator(data, budget)
    }

    /// Evaluates the expression against `data` under the standard limits.
    public func search(_ data: JSONValue) throws(JMESPathError) -> JSONValue {
        try evaluator(data, EvaluationBudget())
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

    /// Compiled expressions by source, least recently used evicted first. An entry costs about 16
    /// times its source in bytes (the tree and its closures), so the cache holds at most ~4 MiB;
    /// sources longer than 4 KiB are compiled every time rather than crowding out the rest.
    private static let cache = Mutex(LRUCache<String, JMESPathExpression>(countLimit: 4096, costLimit: 4 << 20))
    static let costPerByte = 16
    static let largestCachedSource = 4096

    /// A compiled expression from a process-wide cache, compiling it on first use.
    public static func cached(_ source: String) throws(JMESPathError) -> JMESPathExpression {
        if let hit = cache.withLock({ $0.value(for: source) }) { return hit }
        let compiled = try JMESPathExpression(source)
        let size = source.utf8.count
        if size <= largestCachedSource {
            cache.withLock { $0.insert(compiled, for: source, cost: (size + 16) * costPerByte) }
        }
        return compiled
    }

    /// How many compiled expressions the cache holds and their estimated cost in bytes.
    public static var cacheUsage: (entries: Int, bytes: Int) {
        cache.withLock { ($0.count, $0.totalCost) }
    }
}
