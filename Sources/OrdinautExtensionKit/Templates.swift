import Mustache
import OrdinautCore

/// The Mustache templates of an extension's `templates/` folder (`page.mustache` is `page`,
/// `parts/row.mustache` is `parts/row`, usable as a partial `{{> parts/row}}`), compiled once when
/// first asked for (`ExtensionContext.templates()`). `{{name}}` is HTML-escaped; `{{{name}}}` is not.
public struct Templates: Sendable {
    private let library: MustacheLibrary
    /// The template names, sorted.
    public let names: [String]

    /// Compiles `sources` (name → template text); a template that does not parse is an error naming it.
    public init(sources: [String: String]) throws(TemplatesError) {
        var library = MustacheLibrary()
        for (name, text) in sources.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(text, named: name)
            } catch {
                throw TemplatesError("template \"\(name)\" does not parse: \(error)")
            }
        }
        self.library = library
        names = sources.keys.sorted()
    }

    /// Renders template `name` with `values` (objects are sections' contexts, arrays repeat them,
    /// `null` and absent keys are false).
    public func render(_ name: String, _ values: JSONValue) throws(TemplatesError) -> String {
        guard let text = library.render(Self.mustacheValue(values) ?? [String: Any](), withTemplate: name) else {
            throw TemplatesError("no template named \"\(name)\"; templates/ holds \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        return text
    }

    static func mustacheValue(_ value: JSONValue) -> Any? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        case .integer(let number): return number
        case .number(let number): return number
        case .string(let text): return text
        case .array(let items): return items.map { mustacheValue($0) ?? Optional<Any>.none as Any }
        case .object(let object):
            var dictionary: [String: Any] = [:]
            for (key, item) in object { if let converted = mustacheValue(item) { dictionary[key] = converted } }
            return dictionary
        }
    }
}

/// A template that does not parse, or is not there.
public struct TemplatesError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
