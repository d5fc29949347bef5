import ArgumentParser
import Foundation
import Logging
import Ordinaut
import OrdinautCore
import OrdinautExtensionHost

struct Ext: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ext",
        abstract: "List the extensions this configuration discovers, or check an extension's manifest.",
        subcommands: [List.self, Validate.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List discovered extensions with their kind, source and grants, and every refused candidate.",
            discussion: """
            Nothing is activated. The output is what /ext/status shows at start.

            Examples:
              ordinaut ext list
              ORDINAUT_EXT_PATHS=./examples ordinaut ext list --json
            """
        )

        @OptionGroup var common: CommonOptions

        @Flag(help: "Print /ext/status as JSON.")
        var json = false

        func run() async throws {
            let configuration = try common.configuration()
            let engine = try await buildEngine(configuration: configuration, extensions: compiledExtensions(),
                                         logger: common.logger(configuration, label: "ordinaut"))
            let status = engine.extensions.status()
            if json {
                print(status.encodedString())
                return
            }
            for (id, entry) in status["extensions"]?.objectValue?.members ?? [] {
                let granted = entry["capabilities"]?["granted"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
                let eager = entry["eager"] == true ? "eager" : "lazy"
                print("\(id)\t\(entry["kind"]?.stringValue ?? "")\t\(entry["source"]?.stringValue ?? "")\t\(eager)\t\(granted.isEmpty ? "(no grants)" : granted)")
            }
            let problems = status["discovery"]?["problems"]?.arrayValue ?? []
            for problem in problems {
                FileHandle.standardError.write(Data("not loaded: \(problem["origin"]?.stringValue ?? ""): \(problem["message"]?.stringValue ?? "")\n".utf8))
            }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check an extension's manifest (a folder holding extension.json, or the file itself).",
            discussion: """
            Checks the manifest against protocol/extension-manifest.schema.json, the declared tools, and
            that the module exists inside the folder and is executable. Exit status 1 when anything is wrong.

            Examples:
              ordinaut ext validate examples/python-extension
              ordinaut ext validate my_ext/extension.json
            """
        )

        @Argument(help: "The extension's folder, or its extension.json.")
        var path: String

        func run() async throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure(description: "\(path): no such file or folder")
            }
            let file = isDirectory.boolValue ? path + "/extension.json" : path
            let folder = (file as NSString).deletingLastPathComponent
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure(description: "\(file): cannot read the manifest")
            }
            let manifest: ExtensionManifest
            do {
                manifest = try ExtensionManifest.parse(Array(data), origin: file)
                if let module = manifest.module {
                    _ = try ExtensionManifest.executable(module, in: folder.isEmpty ? "." : folder, manifestPath: file)
                }
            } catch {
                throw CommandFailure(description: error.description)
            }
            let kind = manifest.module != nil ? "subprocess" : (manifest.tools.contains { $0.webhook != nil } ? "webhook" : "compiled-in")
            let grants = manifest.grants.sorted().map(\.rawValue).joined(separator: ", ")
            print("\(file): valid \(kind) extension \"\(manifest.id)\" \(manifest.version); grants: \(grants.isEmpty ? "none" : grants); \(manifest.tools.count) declared tool(s)")
        }
    }
}
