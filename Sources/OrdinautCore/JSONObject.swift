/// A JSON object whose members keep the order in which they were parsed or inserted.
///
/// Small objects (the common case in JSON-RPC) are searched linearly; larger ones build a key
/// index so that lookups stay constant-time.
public struct JSONObject: Sendable {
    /// One member of an object.
    public typealias Member = (key: String, value: JSONValue)

    /// A member as stored: a struct, not the tuple, because an array of tuples is destroyed through
    /// the runtime's generic tuple witness, which cost a few hundred instructions per object freed.
    @usableFromInline struct Entry: Sendable {
        @usableFromInline var key: String
        @usableFromInline var value: JSONValue

        @usableFromInline init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline var storage: [Entry]
    @usableFromInline var index: [String: Int]?

    @usableFromInline static let indexThreshold = 12

    /// An empty object.
    public init() {
        storage = []
        index = nil
    }

    /// An object with these members; a later duplicate key replaces the earlier value in place.
    public init<S: Sequence>(_ members: S) where S.Element == (String, JSONValue) {
        self.init()
        storage.reserveCapacity(members.underestimatedCount)
        for (key, value) in members { self[key] = value }
    }

    /// The number of members.
    @inlinable public var count: Int { storage.count }

    /// Whether the object has no members.
    @inlinable public var isEmpty: Bool { storage.isEmpty }

    /// The keys in order.
    public var keys: [String] { storage.map(\.key) }

    /// The members in order.
    public var members: [Member] { storage.map { ($0.key, $0.value) } }

    /// Lengths are compared before text: keys longer than 15 bytes (the protocol's `_meta` keys) are
    /// compared through the standard library's slow path, and most keys differ in length anyway.
    @usableFromInline func position(of key: String) -> Int? {
        if let index { return index[key] }
        let length = key.utf8.count
        for i in storage.indices where storage[i].key.utf8.count == length && storage[i].key == key { return i }
        return nil
    }

    /// The value of `key`; assigning `nil` removes the member, assigning a value replaces it in place
    /// or appends it.
    @inlinable public subscript(key: String) -> JSONValue? {
        get {
            guard let i = position(of: key) else { return nil }
            return storage[i].value
        }
        set {
            if let i = position(of: key) {
                if let newValue {
                    storage[i].value = newValue
                } else {
                    storage.remove(at: i)
                    rebuildIndex()
                }
            } else if let newValue {
                storage.append(Entry(key, newValue))
                if index != nil {
                    index![key] = storage.count - 1
                } else if storage.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    @usableFromInline mutating func rebuildIndex() {
        guard storage.count > Self.indexThreshold else {
            index = nil
            return
        }
        var built = [String: Int](minimumCapacity: storage.count)
        for (i, member) in storage.enumerated() { built[member.key] = i }
        index = built
    }

    /// Makes room for `count` members in one allocation.
    @usableFromInline mutating func reserveCapacity(_ count: Int) {
        storage.reserveCapacity(count)
    }

    /// Appends a member known not to be present; the parser uses it and handles duplicates itself.
    @usableFromInline mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        storage.append(Entry(key, value))
        if index != nil { index![key] = storage.count - 1 }
    }
}

extension JSONObject: Sequence {
    /// The members in order, as `(key, value)` pairs.
    public struct Iterator: IteratorProtocol {
        @usableFromInline var entries: IndexingIterator<[Entry]>

        @usableFromInline init(entries: IndexingIterator<[Entry]>) {
            self.entries = entries
        }

        @inlinable public mutating func next() -> Member? {
            guard let entry = entries.next() else { return nil }
            return (entry.key, entry.value)
        }
    }

    @inlinable public func makeIterator() -> Iterator { Iterator(entries: storage.makeIterator()) }

    @inlinable public var underestimatedCount: Int { storage.count }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for entry in lhs.storage {
            guard let other = rhs[entry.key], other == entry.value else { return false }
        }
        return true
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        // Order-independent: equal objects may list their members in different orders.
        var combined = 0
        for entry in storage {
            var member = Hasher()
            member.combine(entry.key)
            member.combine(entry.value)
            combined ^= member.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
