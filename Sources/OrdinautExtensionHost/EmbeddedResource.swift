import CResources
import OrdinautCore

extension ExtensionHost {
    /// `protocol/openapi.json` as compiled into this binary (served at `GET /openapi.json`).
    public static var openAPIDocument: [UInt8] {
        guard let bytes = EmbeddedResource.bytes("protocol/openapi.json") else { preconditionFailure("protocol/openapi.json is not compiled into this binary") }
        return bytes
    }
}

/// Files compiled into the binary from `protocol/` and `extensions/` (see `Sources/CResources`).
enum EmbeddedResource {
    static func bytes(_ name: String) -> [UInt8]? {
        var length = 0
        guard let pointer = ordinaut_resource(name, &length) else { return nil }
        return Array(UnsafeBufferPointer(start: pointer, count: length))
    }

    /// The names of the compiled-in files below `prefix` (`extensions/<id>/templates/`).
    static func names(under prefix: String) -> [String] {
        var names: [String] = []
        var index = 0
        while let name = ordinaut_resource_name(index) {
            let text = String(cString: name)
            if text.hasPrefix(prefix) { names.append(text) }
            index += 1
        }
        return names
    }

    /// A JSON file the build embedded; its absence or malformation is a build defect.
    static func json(_ name: String) -> JSONValue {
        guard let bytes = bytes(name) else { preconditionFailure("\(name) is not compiled into this binary") }
        do {
            return try JSONParser().parse(bytes)
        } catch {
            preconditionFailure("\(name), compiled into this binary, is not valid JSON: \(error)")
        }
    }
}
