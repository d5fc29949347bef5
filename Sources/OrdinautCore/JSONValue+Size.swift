extension JSONValue {
    /// What `measure(limit:maximumDepth:)` found.
    public enum Measure: Sendable, Equatable {
        /// About this many bytes of compact JSON (escapes not counted).
        case fits(bytes: Int)
        /// More than the byte limit; the walk stopped there.
        case tooLarge
        /// Arrays and objects nested deeper than the depth limit.
        case tooDeep
    }

    /// The size of this value as compact JSON, walking no further than needed to know that it
    /// passes `limit` bytes or `maximumDepth` levels. Values that share storage are counted every
    /// time they appear, as encoding would write them, so `[x, x]` is twice `x`; the walk still
    /// stops after about `limit` bytes, however large the value is logically.
    public func measure(limit: Int, maximumDepth: Int = JSONParser.defaultMaximumDepth) -> Measure {
        var total = 0
        guard Self.add(self, to: &total, limit: limit, depth: 0, maximumDepth: maximumDepth) else {
            return total > limit ? .tooLarge : .tooDeep
        }
        return .fits(bytes: total)
    }

    private static func add(_ value: JSONValue, to total: inout Int, limit: Int, depth: Int, maximumDepth: Int) -> Bool {
        switch value {
        case .null, .bool: total += 5
        case .integer, .number: total += 8
        case .string(let text): total += text.utf8.count + 2
        case .array(let items):
            guard depth < maximumDepth else { return false }
            total += 2
            for item in items {
                total += 1
                guard total <= limit, add(item, to: &total, limit: limit, depth: depth + 1, maximumDepth: maximumDepth) else { return false }
            }
        case .object(let object):
            guard depth < maximumDepth else { return false }
            total += 2
            for (key, item) in object {
                total += key.utf8.count + 4
                guard total <= limit, add(item, to: &total, limit: limit, depth: depth + 1, maximumDepth: maximumDepth) else { return false }
            }
        }
        return total <= limit
    }
}
