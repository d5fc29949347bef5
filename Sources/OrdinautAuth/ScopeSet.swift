/// A set of scopes. `admin` holds every scope; `ScopeSet.all` is the local user's set.
public struct ScopeSet: Sendable, Hashable, CustomStringConvertible {
    /// The scope that holds every other scope.
    public static let admin = "admin"

    public let members: Set<String>
    private let holdsAll: Bool

    public init<S: Sequence>(_ scopes: S) where S.Element == String {
        members = Set(scopes)
        holdsAll = members.contains(Self.admin)
    }

    /// Every scope.
    public static let all = ScopeSet([admin])
    /// No scope at all.
    public static let none = ScopeSet([String]())

    /// Parses a space- (or comma-) separated list, as in an OAuth `scope` claim.
    public init(parsing text: Substring) {
        self.init(text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
    }

    public func contains(_ scope: String) -> Bool {
        holdsAll || members.contains(scope)
    }

    /// The scopes in both sets (a task's creator can pass on only what it holds).
    public func intersection(_ other: ScopeSet) -> ScopeSet {
        if holdsAll { return other }
        if other.holdsAll { return self }
        return ScopeSet(members.intersection(other.members))
    }

    /// Sorted, for storage and display.
    public var sorted: [String] { members.sorted() }

    public var description: String { sorted.joined(separator: " ") }
}
