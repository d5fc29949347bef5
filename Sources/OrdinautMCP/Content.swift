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
