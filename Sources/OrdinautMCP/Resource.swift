import Foundation
import OrdinautCore

/// Reads one resource. `variables` holds the values a URI template matched (empty for static resources).
public typealias ResourceReader = @Sendable (_ uri: String, _ variables: [String: String], _ context: RequestContext) async throws -> [ResourceContents]

/// Completes the value of one argument (a prompt argument or a URI template variable).
public typealias Completer = @Sendable (_ value: String, _ context: JSONObject) async -> [String]

/// A resource with a fixed URI.
public struct Resource: Sendable {
    public let uri: String
    public var name: String
    public var title: String?
    public var description: String?
    public var mimeType: String?
    public var size: Int?
    public var icons: JSONValue?
    public var annotations: JSONValue?
    public var subscribable: Bool
    /// The scope a principal needs to see, read and subscribe to this resource; `nil` is `mcp`.
    public var scope: String?
    public let reader: ResourceReader

    public init(uri: String, name: String, title: String? = nil, description: String? = nil, mimeType: String? = nil,
                size: Int? = nil, icons: JSONValue? = nil, annotations: JSONValue? = nil, subscribable: Bool = false,
                scope: String? = nil, reader: @escaping ResourceReader) {
        self.uri = uri
        self.scope = scope
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
        self.size = size
        self.icons = icons
        self.annotations = annotations
        self.subscribable = subscribable
        self.reader = reader
    }

    func descriptor(version: String) -> JSONValue {
        var object: JSONObject = ["uri": .string(uri), "name": .string(name)]
        if let title, version >= "2025-06-18" { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if let mimeType { object["mimeType"] = .string(mimeType) }
        if let size { object["size"] = .integer(Int64(size)) }
        if let icons, version >= "2025-11-25" { object["icons"] = icons }
        if let annotations { object["annotations"] = annotations }
        return .object(object)
    }
}

/// A family of resources named by an RFC 6570 level-1 template such as `test://template/{id}/data`.
public struct ResourceTemplate: Sendable {
    public let template: URITemplate
    public var name: String
    public var title: String?
    public var description: String?
    public var mimeType: String?
    public var icons: JSONValue?
    public var completers: [String: Completer]
    /// The scope a principal needs to see the template and read what it names; `nil` is `mcp`.
    public var scope: String?
    public let reader: ResourceReader

    public init(uriTemplate: String, name: String, title: String? = nil, description: String? = nil,
                mimeType: String? = nil, icons: JSONValue? = nil, completers: [String: Completer] = [:],
                scope: String? = nil, reader: @escaping ResourceReader) throws(RegistrationError) {
        template = try URITemplate(uriTemplate)
        self.scope = scope
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
        self.icons = icons
        self.completers = completers
        self.reader = reader
    }

    func descriptor(version: String) -> JSONValue {
        var object: JSONObject = ["uriTemplate": .string(template.text), "name": .string(name)]
        if let title, version >= "2025-06-18" { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if let mimeType { object["mimeType"] = .string(mimeType) }
        if let icons, version >= "2025-11-25" { object["icons"] = icons }
        return .object(object)
    }
}

/// An RFC 6570 level-1 URI template: literal text and `{name}` variables that match one path segment.
public struct URITemplate: Sendable {
    enum Part: Sendable {
        case literal(String)
        case variable(String)
    }

    public let text: String
    let parts: [Part]

    public init(_ text: String) throws(RegistrationError) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { throw RegistrationError("URI template \(text) has an unclosed \"{\"") }
            let name = String(rest[rest.index(after: open)..<close])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw RegistrationError("URI template \(text): \"{\(name)}\" is not a simple variable")
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(.variable(name))
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.text = text
        self.parts = parts
    }

    /// The variable names, in order.
    public var variables: [String] {
        parts.compactMap { if case .variable(let name) = $0 { return name } else { return nil } }
    }

    /// The variable values if `uri` matches this template. A variable matches a non-empty run of
    /// characters up to the next literal and never spans a `/`.
    public func match(_ uri: String) -> [String: String]? {
        var values: [String: String] = [:]
        var rest = Substring(uri)
        for (i, part) in parts.enumerated() {
            switch part {
            case .literal(let literal):
                guard rest.hasPrefix(literal) else { return nil }
                rest = rest.dropFirst(literal.count)
            case .variable(let name):
                var end = rest.endIndex
                if i + 1 < parts.count, case .literal(let next) = parts[i + 1] {
                    guard let range = rest.range(of: next) else { return nil }
                    end = range.lowerBound
                }
                let value = rest[..<end]
                guard !value.isEmpty, !value.contains("/") else { return nil }
                values[name] = String(value)
                rest = rest[end...]
            }
        }
        return rest.isEmpty ? values : nil
    }
}
