import OrdinautCore

/// The checks on what a caller gives for an agent or a token, made before anything is stored: each
/// refusal is an `InputError` naming its field. Whether a name is free is the store's to say
/// (a `conflict`), since only the database knows.
enum AgentInput {
    /// The longest agent name.
    static let maxNameLength = 64
    /// The most scopes an agent may hold, and the longest scope.
    static let maxScopes = 64
    static let maxScopeLength = 128
    /// The longest token label.
    static let maxLabelLength = 200

    /// 1–64 characters of `A–Z a–z 0–9 _ . -`: safe in URLs, logs and command lines. A name may not
    /// have the shape of an id, since agents are named by either.
    static func checkName(_ name: String) throws(InputError) {
        guard (1...maxNameLength).contains(name.utf8.count), name.utf8.allSatisfy({ byte in
            (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == 95 || byte == 46 || byte == 45
        }) else {
            throw InputError("an agent name has 1 to \(maxNameLength) characters among A-Z a-z 0-9 _ . - (got '\(name.prefix(80))')", field: "name")
        }
        let bytes = Array(name.utf8)
        let idShaped = bytes.count == 36 && bytes.indices.allSatisfy { index in
            [8, 13, 18, 23].contains(index) ? bytes[index] == 45 : (48...57).contains(bytes[index]) || (97...102).contains(bytes[index] | 0x20)
        }
        if idShaped { throw InputError("'\(name)' has the form of an agent id; choose a name that does not", field: "name") }
    }

    /// At least one scope, each a scope token of OAuth 2.0 (RFC 6749 §3.3: printable ASCII without
    /// space, `"` or `\`).
    static func checkScopes(_ scopes: [String]) throws(InputError) {
        guard !scopes.isEmpty else { throw InputError("give the agent at least one scope", field: "scopes") }
        guard scopes.count <= maxScopes else { throw InputError("an agent holds at most \(maxScopes) scopes", field: "scopes") }
        for scope in scopes {
            guard (1...maxScopeLength).contains(scope.utf8.count),
                  scope.utf8.allSatisfy({ $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }) else {
                throw InputError("'\(scope.prefix(80))' is not a scope: use 1 to \(maxScopeLength) printable ASCII characters without spaces, quotes or backslashes",
                                 field: "scopes")
            }
        }
    }

    /// A token's label, if any: at most `maxLabelLength` characters.
    static func checkLabel(_ label: String?) throws(InputError) {
        if let label, label.count > maxLabelLength {
            throw InputError("a token label has at most \(maxLabelLength) characters", field: "label")
        }
    }
}
