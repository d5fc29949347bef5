import Foundation

/// Where a compiled-in extension's Mustache templates come from: `templates/*.mustache` next to its
/// manifest, or for a built-in the files compiled in from `extensions/<id>/templates/`. Names are
/// paths below the folder without `.mustache` (`parts/row`).
enum TemplateFiles {
    static let suffix = ".mustache"

    static func sources(of record: ExtensionRecord) throws -> [String: String] {
        if let directory = record.directory { return try folder(directory + "/templates") }
        if record.source == .builtIn { return embedded(id: record.id) }
        return [:]
    }

    /// Every `*.mustache` file below `folder` (none when it does not exist); symlinks are not followed out of it.
    static func folder(_ folder: String) throws -> [String: String] {
        let files = FileManager.default
        guard files.fileExists(atPath: folder), let enumerator = files.enumerator(atPath: folder) else { return [:] }
        var sources: [String: String] = [:]
        for case let path as String in enumerator where path.hasSuffix(suffix) {
            let full = folder + "/" + path
            let real = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
            guard real.hasPrefix(URL(fileURLWithPath: folder).resolvingSymlinksInPath().path + "/") else { continue }
            sources[String(path.dropLast(suffix.count))] = try String(contentsOfFile: full, encoding: .utf8)
        }
        return sources
    }

    static func embedded(id: String) -> [String: String] {
        let prefix = "extensions/\(id)/templates/"
        var sources: [String: String] = [:]
        for name in EmbeddedResource.names(under: prefix) where name.hasSuffix(suffix) {
            guard let bytes = EmbeddedResource.bytes(name) else { continue }
            sources[String(name.dropFirst(prefix.count).dropLast(suffix.count))] = String(decoding: bytes, as: UTF8.self)
        }
        return sources
    }
}
