import CResources
import OrdinautCore

/// Files compiled into the binary from `protocol/` and `extensions/` (see `Sources/CResources`).
enum EmbeddedResource {
    static func bytes(_ name: String) -> [UInt8]? {
        var length = 0
        guard let pointer = ordinaut_resource(name, &length) else { return nil }
        return Array(UnsafeBufferPointer(start: pointer, count: length))
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
