import Foundation
import OrdinautCore
import OrdinautWebhooks
import OrdinautExtensionKit

/// What discovery found: the usable extensions, and every candidate it had to refuse, with why.
struct DiscoveryResult: Sendable {
    var records: [ExtensionRecord] = []
    var problems: [(origin: String, message: String)] = []
    var sources: [JSONValue] = []
}

/// Finds extensions: the built-ins and custom-build extensions compiled in, then every folder in
/// `ORDINAUT_EXT_PATHS`. A bad candidate is refused alone; the rest load.
struct Discovery {
    let configuration: ExtensionHostConfiguration
    let compiled: [CompiledExtension]

    func run() -> DiscoveryResult {
        var result = DiscoveryResult()
        var taken: [String: String] = [:]

        func admit(_ record: ExtensionRecord, origin: String, into result: inout DiscoveryResult) {
            if let other = taken[record.id] {
                result.problems.append((origin, "extension id \"\(record.id)\" is already used by \(other); this one (\(origin)) is not loaded"))
                return
            }
            taken[record.id] = origin
            result.records.append(record)
        }

        var builtIns = 0, customs = 0
        for entry in compiled {
            let instance = entry.make()
            let info = instance.info
            switch entry.origin {
            case .builtIn(let path):
                builtIns += 1
                guard let bytes = EmbeddedResource.bytes(path) else {
                    result.problems.append((path, "the built-in manifest is not compiled into this binary"))
                    continue
                }
                do {
                    let manifest = try ExtensionManifest.parse(bytes, origin: path)
                    if let problem = Self.mismatch(manifest, info) {
                        result.problems.append((path, problem))
                        continue
                    }
                    guard manifest.enabled, !configuration.disabled.contains(manifest.id) else { continue }
                    let record = ExtensionRecord(
                        id: info.id, info: info, source: .builtIn, kind: .compiled(instance), manifest: manifest, directory: nil,
                        requested: instance.requestedCapabilities, granted: instance.requestedCapabilities.intersection(manifest.grants),
                        eager: manifest.eager, grantSource: path)
                    admit(record, origin: path, into: &result)
                } catch {
                    result.problems.append((path, error.description))
                }
            case .custom:
                customs += 1
                let origin = "compiled-in extension \"\(info.id)\""
                guard !configuration.disabled.contains(info.id) else { continue }
                if let problem = ExtensionManifest.problem(withID: info.id) {
                    result.problems.append((origin, "/id: \(problem); it is not loaded"))
                    continue
                }
                let grants = configuration.entryGrants[info.id] ?? []
                let record = ExtensionRecord(
                    id: info.id, info: info, source: .compiled, kind: .compiled(instance), manifest: nil, directory: nil,
                    requested: instance.requestedCapabilities, granted: instance.requestedCapabilities.intersection(grants),
                    eager: configuration.entryEager[info.id] ?? false,
                    grantSource: "ORDINAUT_EXT_ENTRY_GRANTS (key \"\(info.id)\")")
                admit(record, origin: origin, into: &result)
            }
        }
        result.sources.append(["kind": "builtin", "found": .integer(Int64(builtIns))])
        if customs > 0 { result.sources.append(["kind": "compiled", "found": .integer(Int64(customs))]) }

        for path in configuration.paths {
            var found = 0
            for folder in Self.extensionFolders(in: path) {
                found += 1
                let manifestPath = folder + "/extension.json"
                guard let data = FileManager.default.contents(atPath: manifestPath) else {
                    result.problems.append((manifestPath, "cannot read the manifest"))
                    continue
                }
                do {
                    let manifest = try ExtensionManifest.parse(Array(data), origin: manifestPath)
                    guard manifest.enabled, !configuration.disabled.contains(manifest.id) else { continue }
                    let kind: ExtensionRecord.Kind
                    if let module = manifest.module {
                        kind = .subprocess(executable: try Self.executable(module, in: folder, manifestPath: manifestPath))
                    } else if !manifest.tools.isEmpty, manifest.tools.allSatisfy({ $0.webhook != nil }) {
                        kind = .webhook
                    } else {
                        throw ManifestError(origin: manifestPath, problems: [
                            "/module: required unless every declared tool is a webhook tool (compiled-in extensions are not discovered from paths)",
                        ])
                    }
                    let forbidden = manifest.tools.compactMap(\.webhook).flatMap { $0.secrets.values }
                        .filter { !configuration.secretAllowed($0, extensionID: manifest.id) }
                    if !forbidden.isEmpty {
                        throw ManifestError(origin: manifestPath, problems: [
                            "/tools/*/webhook/secrets: \(Set(forbidden).sorted().joined(separator: ", ")) may not be read by extensions; name variables ORDINAUT_SECRET_\(manifest.id.uppercased())_…, or allow them with ORDINAUT_WEBHOOK_SECRETS",
                        ])
                    }
                    let requested = manifest.requests ?? [.tools]
                    let info = ExtensionInfo(id: manifest.id, name: manifest.name, version: manifest.version, description: manifest.description)
                    let record = ExtensionRecord(
                        id: manifest.id, info: info, source: .path, kind: kind, manifest: manifest, directory: folder,
                        requested: requested, granted: requested.intersection(manifest.grants),
                        // Webhook tools need nothing started, so they are registered at start.
                        eager: manifest.eager || kind.isWebhook, grantSource: manifestPath)
                    admit(record, origin: manifestPath, into: &result)
                } catch let error as ManifestError {
                    result.problems.append((manifestPath, error.problems.joined(separator: "; ")))
                } catch {
                    result.problems.append((manifestPath, "\(error)"))
                }
            }
            result.sources.append(["kind": "path", "path": .string(path), "found": .integer(Int64(found))])
        }
        return result
    }

    private static func mismatch(_ manifest: ExtensionManifest, _ info: ExtensionInfo) -> String? {
        manifest.id == info.id ? nil : "the manifest's id \"\(manifest.id)\" differs from the extension's own id \"\(info.id)\""
    }

    /// `path` itself when it holds `extension.json`, otherwise its subfolders that do, sorted.
    static func extensionFolders(in path: String) -> [String] {
        let manager = FileManager.default
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        if manager.fileExists(atPath: trimmed + "/extension.json") { return [trimmed] }
        guard let names = try? manager.contentsOfDirectory(atPath: trimmed) else { return [] }
        return names.sorted().map { trimmed + "/" + $0 }.filter { manager.fileExists(atPath: $0 + "/extension.json") }
    }

    /// The module's absolute path, which must be an executable file inside the extension's folder.
    static func executable(_ module: String, in folder: String, manifestPath: String) throws(ManifestError) -> String {
        let base = URL(fileURLWithPath: folder).standardizedFileURL.path
        let candidate = URL(fileURLWithPath: module, relativeTo: URL(fileURLWithPath: base + "/")).standardizedFileURL.path
        guard candidate.hasPrefix(base + "/") else {
            throw ManifestError(origin: manifestPath, problems: ["/module: \"\(module)\" points outside the extension's folder"])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ManifestError(origin: manifestPath, problems: ["/module: \(candidate) does not exist"])
        }
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw ManifestError(origin: manifestPath, problems: ["/module: \(candidate) is not executable (chmod +x, and start scripts with #!)"])
        }
        return candidate
    }
}
