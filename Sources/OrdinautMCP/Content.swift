import OrdinautCore

/// One block of tool or prompt content.
public enum Content: Sendable, Equatable {
    /// Plain text.
    case text(String, annotations: JSONValue? = nil)
    /// An image, base64-encoded.
    case image(data: String, mimeType: String, annotations: JSONValue? = nil)
    /// Audio, base64-encoded.
    case audio(data: String, mimeType: String, annotations: JSONValue? = nil)
    /// A link to a resource the client may read.
    case resourceLink(uri: String, name: String, description: String? = nil, mimeType: String? = nil, annotations: JSONValue? = nil)
    /// A resource embedded in full.
    case resource(ResourceContents, annotations: JSONValue? = nil)

    /// The text of a text block; `nil` for every other kind.
    public var plainText: String? {
        if case .text(let text, _) = self { return text }
        return nil
    }

    public var json: JSONValue {
        var object: JSONObject
        let extra: JSONValue?
        switch self {
        case .text(let text, let annotations):
            object = ["type": "text", "text": .string(text)]
            extra = annotations
        case .image(let data, let mimeType, let annotations):
            object = ["type": "image", "data": .string(data), "mimeType": .string(mimeType)]
            extra = annotations
        case .audio(let data, let mimeType, let annotations):
            object = ["type": "audio", "data": .string(data), "mimeType": .string(mimeType)]
            extra = annotations
        case .resourceLink(let uri, let name, let description, let mimeType, let annotations):
            object = ["type": "resource_link", "uri": .string(uri), "name": .string(name)]
            if let description { object["description"] = .string(description) }
            if let mimeType { object["mimeType"] = .string(mimeType) }
            extra = annotations
        case .resource(let contents, let annotations):
            object = ["type": "resource", "resource": contents.json]
            extra = annotations
        }
        if let extra { object["annotations"] = extra }
        return .object(object)
    }
}

/// The contents of a resource: text or a base64 blob.
public struct ResourceContents: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case text(String)
        case blob(base64: String)
    }

    public let uri: String
    public let mimeType: String?
    public let body: Body

    public init(uri: String, mimeType: String?, text: String) {
        self.uri = uri
        self.mimeType = mimeType
        body = .text(text)
    }

    public init(uri: String, mimeType: String?, blobBase64: String) {
        self.uri = uri
        self.mimeType = mimeType
        body = .blob(base64: blobBase64)
    }

    public var json: JSONValue {
        var object: JSONObject = ["uri": .string(uri)]
        if let mimeType { object["mimeType"] = .string(mimeType) }
        switch body {
        case .text(let text): object["text"] = .string(text)
        case .blob(let blob): object["blob"] = .string(blob)
        }
        return .object(object)
    }
}

extension Content {
    /// Reads a content block another MCP server sent; `nil` when it is not a well-formed block.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, let type = object["type"]?.stringValue else { return nil }
        let annotations = object["annotations"]
        switch type {
        case "text":
            guard let text = object["text"]?.stringValue else { return nil }
            self = .text(text, annotations: annotations)
        case "image", "audio":
            guard let data = object["data"]?.stringValue, let mimeType = object["mimeType"]?.stringValue else { return nil }
            self = type == "image" ? .image(data: data, mimeType: mimeType, annotations: annotations)
                : .audio(data: data, mimeType: mimeType, annotations: annotations)
        case "resource_link":
            guard let uri = object["uri"]?.stringValue, let name = object["name"]?.stringValue else { return nil }
            self = .resourceLink(uri: uri, name: name, description: object["description"]?.stringValue,
                                 mimeType: object["mimeType"]?.stringValue, annotations: annotations)
        case "resource":
            guard let contents = object["resource"].flatMap(ResourceContents.init(json:)) else { return nil }
            self = .resource(contents, annotations: annotations)
        default:
            return nil
        }
    }
}

extension ResourceContents {
    /// Reads resource contents another MCP server sent; `nil` when malformed.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, let uri = object["uri"]?.stringValue else { return nil }
        let mimeType = object["mimeType"]?.stringValue
        if let text = object["text"]?.stringValue {
            self.init(uri: uri, mimeType: mimeType, text: text)
        } else if let blob = object["blob"]?.stringValue {
            self.init(uri: uri, mimeType: mimeType, blobBase64: blob)
        } else {
            return nil
        }
    }
}
