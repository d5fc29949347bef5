import Foundation

/// A `WHERE` clause built from optional filters: each condition is written with one `?` per value,
/// numbered `$n` here in the order the values are added.
struct SQLConditions {
    private(set) var clauses: [String] = []
    private(set) var parameters: [SQLValue] = []

    mutating func add(_ clause: String, _ values: SQLValue...) {
        var pieces = clause.split(separator: "?", omittingEmptySubsequences: false).map(String.init)
        precondition(pieces.count == values.count + 1, "a condition needs one value per ?: \(clause)")
        var text = pieces.removeFirst()
        for (value, piece) in zip(values, pieces) {
            parameters.append(value)
            text += "$\(parameters.count)" + piece
        }
        clauses.append(text)
    }

    /// ` WHERE a AND b`, or nothing when no filter was given.
    var sql: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }
}
