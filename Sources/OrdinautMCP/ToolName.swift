/// The one mapping between registry names and the names listed to clients.
///
/// Registry names are dot-separated segments (`ext.billing.charge`, the seed's namespace). Model APIs
/// accept only `^[a-zA-Z0-9_-]{1,64}$`, so on the wire every `.` becomes `__`
/// (`ext__billing__charge`). A segment may not hold `__` nor begin or end with `_`, so no two names
/// share a wire spelling (`a` + `b__c` and `a__b` + `c` would); the registry also refuses a name
/// whose wire spelling another tool already has, and `tools/call` accepts both spellings.
public enum ToolName {
    /// The longest wire name model APIs accept.
    public static let maximumWireLength = 64

    /// The wire spelling of a registry name.
    public static func wireName(for name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).joined(separator: "__")
    }

    /// Why `name` cannot be registered, or `nil` when it can.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "a tool name must not be empty" }
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        for segment in segments {
            if segment.isEmpty { return "tool name \"\(name)\" has an empty segment between dots" }
            if let bad = segment.unicodeScalars.first(where: { !isAllowed($0) }) {
                return "tool name \"\(name)\" contains \"\(bad)\"; use letters, digits, \"_\" and \"-\" (and \".\" between segments)"
            }
            if segment.contains("__") || segment.hasPrefix("_") || segment.hasSuffix("_") {
                return "tool name \"\(name)\": segment \"\(segment)\" holds \"__\" or begins or ends with \"_\", which would make its wire name (dots become \"__\") ambiguous"
            }
        }
        let wire = wireName(for: name)
        if wire.utf8.count > maximumWireLength {
            return "tool name \"\(name)\" is \(wire.utf8.count) characters on the wire (\(wire)); the limit is \(maximumWireLength)"
        }
        return nil
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
        default: return false
        }
    }
}
