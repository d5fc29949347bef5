/// Which events a subscription receives.
///
/// A pattern without `:` is a glob over the event name, from any source and namespace: `task.*`
/// matches `task.completed` and `task.run.failed`; `?` matches one character. A pattern with `:` is
/// a glob over the whole stream name, `ext:{source}:{namespace}:{name}`, e.g. `ext:events_demo:*:*`.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let matchesStream: Bool
    private let scalars: [Unicode.Scalar]

    public init(_ text: String) throws(EventBusError) {
        guard !text.isEmpty, text.utf8.count <= 512 else {
            throw EventBusError("an event pattern must have 1 to 512 characters")
        }
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            throw EventBusError("the event pattern \"\(text)\" contains the control or space character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        self.text = text
        matchesStream = text.contains(":")
        scalars = Array(text.unicodeScalars)
    }

    public var description: String { text }

    public func matches(_ event: Event) -> Bool {
        matches(source: event.source, namespace: event.namespace, name: event.name)
    }

    public func matches(source: String, namespace: String, name: String) -> Bool {
        let subject = matchesStream ? StreamName(source: source, namespace: namespace, name: name).description : name
        return Self.glob(scalars[...], Array(subject.unicodeScalars)[...])
    }

    /// Iterative glob matching with single-star backtracking: linear in practice, never exponential.
    private static func glob(_ pattern: ArraySlice<Unicode.Scalar>, _ subject: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex, s = subject.startIndex
        var star: Int?, resume = subject.startIndex
        while s < subject.endIndex {
            if p < pattern.endIndex, pattern[p] == "?" || pattern[p] == subject[s] {
                p += 1
                s += 1
            } else if p < pattern.endIndex, pattern[p] == "*" {
                star = p
                p += 1
                resume = s
            } else if let starIndex = star {
                p = starIndex + 1
                resume += 1
                s = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }
}
