import Foundation

/// A `WHERE` clause built from optional filters: each condition is written with `?` for its one
/// value, numbered `$n` here in the order the conditions are added.
struct SQLConditions {
    private(set) var clauses: [String] = []
    private(set) var parameters: [SQLValue] = []

    mutating func add(_ clause: String, _ value: SQLValue) {
        parameters.append(value)
        clauses.append(clause.replacingOccurrences(of: "?", with: "$\(parameters.count)"))
    }

    /// ` WHERE a AND b`, or nothing when no filter was given.
    var sql: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }
}
