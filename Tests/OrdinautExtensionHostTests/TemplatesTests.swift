import Foundation
import Hummingbird
import HummingbirdTesting
@testable import OrdinautExtensionHost
import OrdinautCore
import OrdinautExtensionKit
import OrdinautTesting
import Testing

/// An extension that renders its `page` template at `GET /ext/pages/page?name=…`.
private struct PagesExtension: Extension {
    var info: ExtensionInfo { ExtensionInfo(id: "pages", name: "Pages", version: "1.0.0") }
    var requestedCapabilities: Set<Capability> { [.routes] }

    func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        let templates = try context.templates()
        let routes = try context.routes()
        routes.get("/page") { request, _ in
            let name = request.uri.queryParameters["name"].map(String.init) ?? "nobody"
            let html = try templates.render("page", ["name": .string(name), "items": [["label": "one"], ["label": "two"]], "admin": .null])
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        }
        return routes
    }
}

@Suite("templates/: Mustache for compiled-in extensions")
struct TemplatesTests {
    @Test func anExtensionRendersItsTemplatesEscapedWithSectionsAndPartials() async throws {
        let harness = try await ExtensionHarness(PagesExtension(), grants: [.routes], templates: [
            "page": "<h1>Hello {{name}}</h1><ul>{{#items}}{{> parts/item}}{{/items}}</ul>{{#admin}}secret{{/admin}}{{^admin}}guest{{/admin}}",
            "parts/item": "<li>{{label}}</li>",
        ])
        try await harness.testRoutes { client in
            try await client.execute(uri: "/ext/pages/page?name=%3Cscript%3E", method: .get) { response in
                #expect(String(buffer: response.body) == "<h1>Hello &lt;script&gt;</h1><ul><li>one</li><li>two</li></ul>guest")
            }
        }
        await harness.tearDown()
    }

    @Test func unknownAndBrokenTemplatesAreErrorsNamingThem() throws {
        let templates = try Templates(sources: ["a": "{{x}}", "b": "{{y}}"])
        #expect(throws: TemplatesError.self) { try templates.render("c", [:]) }
        do {
            _ = try templates.render("c", [:])
        } catch {
            #expect(error.description.contains("a, b"))
        }
        do {
            _ = try Templates(sources: ["broken": "{{#open}} never closed"])
            Issue.record("a template that does not parse was accepted")
        } catch {
            #expect(error.description.contains("broken"))
        }
    }

    @Test func aFolderGivesItsMustacheFilesByRelativeNameAndNothingOutsideIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/templates/parts", withIntermediateDirectories: true)
        try Data("page".utf8).write(to: URL(fileURLWithPath: "\(root)/templates/page.mustache"))
        try Data("row".utf8).write(to: URL(fileURLWithPath: "\(root)/templates/parts/row.mustache"))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: "\(root)/templates/README.txt"))
        try Data("outside".utf8).write(to: URL(fileURLWithPath: "\(root)/secret.mustache"))
        try FileManager.default.createSymbolicLink(atPath: "\(root)/templates/leak.mustache", withDestinationPath: "\(root)/secret.mustache")
        #expect(try TemplateFiles.folder("\(root)/templates") == ["page": "page", "parts/row": "row"])
        #expect(try TemplateFiles.folder("\(root)/none").isEmpty)
    }
}
