import OrdinautCore

/// A statement's kind for metrics: its verb and the first table it names (`select due_work`,
/// `update runs`), or the verb alone. Few values: the verbs times the schema's tables.
///
/// Every statement the store executes is labelled, so the text is read as bytes, word by word, and
/// only as far as the table: no split of the whole statement, no Unicode segmentation.
enum StatementKind {
    /// The words looked at before giving up on finding the table.
    static let maximumWords = 64
    static let maximumTableLength = 40

    static func of(_ sql: String) -> String {
        var words = Words(sql)
        guard let first = words.next() else { return "other" }
        let verb = first.lowercased
        let marker: StaticString
        switch verb {
        case "select", "delete": marker = "from"
        case "insert": marker = "into"
        case "update": return named(verb, table: words.next())
        case "with": return "with"
        case "begin", "commit", "rollback": return "transaction"
        default: return "other"
        }
        for _ in 1..<maximumWords {
            guard let word = words.next() else { break }
            if word.matches(marker) { return named(verb, table: words.next()) }
        }
        return verb
    }

    /// "verb table" when `table` looks like a table's name (letters and underscores), else the verb.
    private static func named(_ verb: String, table: Word?) -> String {
        guard let table, table.bytes.count <= maximumTableLength,
              table.bytes.allSatisfy({ (97...122).contains($0.asciiLowercased) || $0 == 95 }) else { return verb }
        return verb + " " + table.lowercased
    }

    /// One word of a statement: bytes between separators (space, newline, `(` and `,`).
    struct Word {
        let bytes: Substring.UTF8View

        func matches(_ lowercaseWord: StaticString) -> Bool {
            let expected = UnsafeBufferPointer(start: lowercaseWord.utf8Start, count: lowercaseWord.utf8CodeUnitCount)
            return bytes.count == expected.count && zip(bytes, expected).allSatisfy { $0.asciiLowercased == $1 }
        }

        /// The word in ASCII lower case; a word of up to 15 bytes (every verb and table) allocates nothing.
        var lowercased: String {
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for (offset, byte) in bytes.enumerated() { buffer[offset] = byte.asciiLowercased }
                return bytes.count
            }
        }
    }

    /// The words of a statement, in order, skipping empty ones.
    struct Words: IteratorProtocol {
        private let text: Substring.UTF8View
        private var position: Substring.UTF8View.Index

        init(_ sql: String) {
            text = sql[...].utf8
            position = text.startIndex
        }

        mutating func next() -> Word? {
            while position < text.endIndex, Self.isSeparator(text[position]) { text.formIndex(after: &position) }
            guard position < text.endIndex else { return nil }
            let start = position
            while position < text.endIndex, !Self.isSeparator(text[position]) { text.formIndex(after: &position) }
            return Word(bytes: text[start..<position])
        }

        private static func isSeparator(_ byte: UInt8) -> Bool { byte == 32 || byte == 10 || byte == 40 || byte == 44 }
    }
}
