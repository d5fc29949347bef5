/// An RFC 6901 JSON Pointer: the location of a value inside a JSON document (`/items/0/name`).
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens.
    public private(set) var tokens: [String]

    /// The pointer to the whole document.
    public static let root = JSONPointer(tokens: [])

    /// A pointer made of these unescaped tokens.
    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// Parses pointer text such as `/a~1b/0`; `nil` when it does not start with `/` and is not empty.
    public init?(_ text: Substring) {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.first == "/" else { return nil }
        var parsed: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let token = Self.unescape(raw) else { return nil }
            parsed.append(token)
        }
        tokens = parsed
    }

    private static func unescape(_ raw: Substring) -> String? {
        guard raw.contains("~") else { return String(raw) }
        var result = ""
        var iterator = raw.makeIterator()
        while let character = iterator.next() {
            if character == "~" {
                switch iterator.next() {
                case "0": result.append("~")
                case "1": result.append("/")
                default: return nil
                }
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// This pointer extended by one token.
    public func appending(_ token: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(token)
        return copy
    }

    /// This pointer extended by an array index.
    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    public var description: String {
        tokens.map { "/" + $0.replacingEvery("~", with: "~0").replacingEvery("/", with: "~1") }.joined()
    }

    /// The value this pointer designates inside `document`, if there is one.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(token), index >= 0, index < array.count,
                      token == "0" || !token.hasPrefix("0") else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}

extension String {
    /// This string with every occurrence of `target` replaced, without Foundation.
    func replacingEvery(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
