import CResources
import Foundation

/// Where a `STATIC` extension's files come from: its folder on disk (extensions found on a path,
/// whatever their kind) or, for the built-ins, the files compiled into the binary from
/// `extensions/<id>/static/` (see `Sources/CResources`), so that an installed binary serves them
/// without its source tree.
enum StaticFiles: Sendable {
    case folder(String)
    case embedded(id: String)

    /// One file, read whole (files are capped in size).
    struct File: Equatable, Sendable {
        let bytes: [UInt8]
        /// Seconds since 1970, UTC.
        let modified: Int
        /// A strong validator, quoted.
        let etag: String
        /// The name the file was found under (`index.html` for a folder), for its content type.
        let name: String
    }

    enum Lookup: Equatable {
        case found(File)
        case missing
        /// Larger than the cap: refused, and said so.
        case tooLarge(size: Int)
    }

    func file(_ path: StaticPath, maxBytes: Int) -> Lookup {
        switch self {
        case .folder(let folder): Self.fromFolder(folder, path, maxBytes: maxBytes)
        case .embedded(let id): Self.fromBinary(id, path, maxBytes: maxBytes)
        }
    }

    // MARK: On disk

    /// Resolves symlinks of both the folder and the file and answers only a regular file whose real
    /// path is inside the folder's real path.
    private static func fromFolder(_ folder: String, _ path: StaticPath, maxBytes: Int) -> Lookup {
        guard let root = realPath(folder) else { return .missing }
        var candidate = path.segments.isEmpty ? root : root + "/" + path.relative
        var name = path.segments.last ?? "index.html"
        if path.namesFolder || isDirectory(candidate) {
            candidate += "/index.html"
            name = "index.html"
        }
        guard let real = realPath(candidate), real.hasPrefix(root + "/") else { return .missing }
        // Through FileManager rather than `stat`: the struct's members are not visible to Swift in a
        // build with the static Swift SDK.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: real),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.intValue,
              let modifiedAt = attributes[.modificationDate] as? Date else { return .missing }
        guard size <= maxBytes else { return .tooLarge(size: size) }
        let descriptor = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .missing }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + done, size - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return .missing }
            done += count
        }
        let nanoseconds = Int((modifiedAt.timeIntervalSince1970 * 1e9).rounded())
        return .found(File(bytes: bytes, modified: Int(modifiedAt.timeIntervalSince1970),
                                 etag: "\"\(String(size, radix: 16))-\(String(nanoseconds, radix: 16))\"", name: name))
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    // MARK: Compiled in

    private static func fromBinary(_ id: String, _ path: StaticPath, maxBytes: Int) -> Lookup {
        let base = "extensions/\(id)/static/"
        var names = path.namesFolder ? [] : [path.relative]
        names.append(path.segments.isEmpty ? "index.html" : path.relative + "/index.html")
        for name in names where !name.isEmpty {
            guard let bytes = EmbeddedResource.bytes(base + name) else { continue }
            guard bytes.count <= maxBytes else { return .tooLarge(size: bytes.count) }
            return .found(File(bytes: bytes, modified: binaryModified, etag: "\"\(fnv1a(bytes))\"",
                                     name: String(name.split(separator: "/").last ?? "index.html")))
        }
        return .missing
    }

    /// Compiled-in files changed when the binary did.
    private static let binaryModified: Int = {
        guard let binary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let modified = (try? FileManager.default.attributesOfItem(atPath: binary))?[.modificationDate] as? Date else { return 0 }
        return Int(modified.timeIntervalSince1970)
    }()

    /// FNV-1a, 64 bits, in hex: a content validator, not a security measure.
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
