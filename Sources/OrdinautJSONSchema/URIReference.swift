/// Just enough of RFC 3986 to resolve `$id`, `$ref` and `$dynamicRef` values against a base URI.
struct URIReference: Equatable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        if let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isLetter,
           rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
           !rest[..<colon].contains("/")
        {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            authority = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        }
        path = String(rest)
    }

    var text: String {
        var result = ""
        if let scheme { result += scheme + ":" }
        if let authority { result += "//" + authority }
        result += path
        if let query { result += "?" + query }
        if let fragment { result += "#" + fragment }
        return result
    }

    /// The URI without its fragment.
    var withoutFragment: String {
        var copy = self
        copy.fragment = nil
        return copy.text
    }

    /// RFC 3986 §5.2.2: the target of `reference` relative to this base.
    func resolving(_ reference: String) -> URIReference {
        let ref = URIReference(reference)
        var target = URIReference("")
        if ref.scheme != nil {
            target = ref
            target.path = Self.removeDotSegments(ref.path)
            return target
        }
        if ref.authority != nil {
            target = ref
            target.scheme = scheme
            target.path = Self.removeDotSegments(ref.path)
            return target
        }
        target.scheme = scheme
        target.authority = authority
        if ref.path.isEmpty {
            target.path = path
            target.query = ref.query ?? query
        } else {
            if ref.path.hasPrefix("/") {
                target.path = Self.removeDotSegments(ref.path)
            } else {
                target.path = Self.removeDotSegments(merge(ref.path))
            }
            target.query = ref.query
        }
        target.fragment = ref.fragment
        return target
    }

    private func merge(_ relative: String) -> String {
        if authority != nil && path.isEmpty { return "/" + relative }
        guard let slash = path.lastIndex(of: "/") else { return relative }
        return String(path[...slash]) + relative
    }

    static func removeDotSegments(_ input: String) -> String {
        guard input.contains(".") else { return input }
        var output: [Substring] = []
        let segments = input.split(separator: "/", omittingEmptySubsequences: false)
        let absolute = input.hasPrefix("/")
        for (i, segment) in segments.enumerated() {
            if absolute && i == 0 { continue }
            if segment == "." {
                if i == segments.count - 1 { output.append("") }
                continue
            }
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
                if i == segments.count - 1 { output.append("") }
                continue
            }
            output.append(segment)
        }
        return (absolute ? "/" : "") + output.joined(separator: "/")
    }
}
