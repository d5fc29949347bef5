import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Ordinaut
@testable import OrdinautExtensionHost
import OrdinautTesting
import Testing

@Suite("STATIC: an extension's static/ folder")
struct StaticFilesTests {
    @Test func pathsThatCouldLeaveTheFolderAreRefusedBeforeAnyFileIsTouched() {
        for raw in ["/..", "/../x", "/a/../../x", "/%2e%2e/x", "/%2E%2e/x", "/.%2e/x", "/a%2f..%2fx", "/a%2F..", "/..%5cx",
                    "/a\\..\\x", "/%00", "/a%0a", "/%zz", "/%2", "/a//b", "/.", "/./a", "/%c0%ae%c0%ae/x", "x"] {
            #expect(StaticPath(raw: Substring(raw)) == nil, "\(raw)")
        }
        #expect(StaticPath(raw: "")?.namesFolder == true)
        #expect(StaticPath(raw: "/")?.segments == [])
        #expect(StaticPath(raw: "/css/site%20a.css")?.relative == "css/site a.css")
        #expect(StaticPath(raw: "/docs/")?.namesFolder == true)
        #expect(StaticPath(raw: "/..a/b..")?.relative == "..a/b..")
    }

    @Test func httpDatesRoundTripAndGarbageIsIgnored() {
        #expect(StaticResponse.httpDate(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(StaticResponse.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(StaticResponse.parseHTTPDate("yesterday") == nil)
        #expect(StaticResponse.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT trailing") == nil)
    }

    /// An extension folder found on a path, granted STATIC, with files, a folder, a secret next to
    /// the folder and symlinks in and out of it.
    private func folder() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("static-\(UUID().uuidString)").path
        let files = FileManager.default
        try files.createDirectory(atPath: "\(root)/site/static/docs", withIntermediateDirectories: true)
        try files.createDirectory(atPath: "\(root)/site/static/empty", withIntermediateDirectories: true)
        func write(_ path: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(root)/\(path)")) }
        try write("site/extension.json", #"{"id": "site", "name": "Site", "version": "1.0.0", "module": "run.sh", "requests": ["STATIC"], "grants": ["STATIC"]}"#)
        try write("site/run.sh", "#!/bin/sh\nexit 0\n")
        try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(root)/site/run.sh")
        try write("site/static/index.html", "<h1>home</h1>")
        try write("site/static/app.js", "export {}")
        try write("site/static/style.css", "body{}")
        try write("site/static/big.bin", String(repeating: "x", count: 5000))
        try write("site/static/docs/index.html", "<h1>docs</h1>")
        try write("site/secret.txt", "the manifest's neighbour")
        try files.createSymbolicLink(atPath: "\(root)/site/static/escape.txt", withDestinationPath: "\(root)/site/secret.txt")
        try files.createSymbolicLink(atPath: "\(root)/site/static/up", withDestinationPath: "\(root)/site")
        try files.createSymbolicLink(atPath: "\(root)/site/static/alias.css", withDestinationPath: "style.css")
        return root
    }

    @Test func filesAreServedWithTypesValidatorsAndIndexPages() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await withOrdinautApplication(configure: { $0.extensions.paths = [root]; $0.extensions.staticMaxFileBytes = 4096 }) { client in
            for (path, type, body) in [
                ("/ext/site/static/", "text/html; charset=utf-8", "<h1>home</h1>"),
                ("/ext/site/static", "text/html; charset=utf-8", "<h1>home</h1>"),
                ("/ext/site/static/docs/", "text/html; charset=utf-8", "<h1>docs</h1>"),
                ("/ext/site/static/docs", "text/html; charset=utf-8", "<h1>docs</h1>"),
                ("/ext/site/static/app.js", "text/javascript; charset=utf-8", "export {}"),
                ("/ext/site/static/alias.css", "text/css; charset=utf-8", "body{}"),
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType] == type, "\(path)")
                    #expect(String(buffer: response.body) == body, "\(path)")
                    #expect(response.headers[.eTag] != nil && response.headers[.lastModified] != nil, "\(path)")
                }
            }
            let (etag, modified) = try await client.execute(uri: "/ext/site/static/style.css", method: .get) { response in
                (response.headers[.eTag]!, response.headers[.lastModified]!)
            }
            try await client.execute(uri: "/ext/site/static/style.css", method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == etag)
            }
            try await client.execute(uri: "/ext/site/static/style.css", method: .get, headers: [.ifNoneMatch: "\"other\", \(etag)"]) { response in
                #expect(response.status == .notModified)
            }
            try await client.execute(uri: "/ext/site/static/style.css", method: .get, headers: [.ifModifiedSince: modified]) { response in
                #expect(response.status == .notModified)
            }
            // If-None-Match wins over If-Modified-Since; a stale tag gets the file.
            try await client.execute(uri: "/ext/site/static/style.css", method: .get, headers: [.ifNoneMatch: "\"stale\"", .ifModifiedSince: modified]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ext/site/static/style.css", method: .get, headers: [.ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT"]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ext/site/static/style.css", method: .head) { response in
                #expect(response.status == .ok && response.headers[.contentLength] == "6")
            }
            try await client.execute(uri: "/ext/site/static/style.css", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
            }
        }
    }

    @Test func traversalSymlinksOutsideFoldersAndOversizedFilesAnswer404() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await withOrdinautApplication(configure: { $0.extensions.paths = [root]; $0.extensions.staticMaxFileBytes = 4096 }) { client in
            for path in ["/ext/site/static/../secret.txt", "/ext/site/static/%2e%2e/secret.txt", "/ext/site/static/..%2fsecret.txt",
                         "/ext/site/static/..%5csecret.txt", "/ext/site/static/..\\secret.txt", "/ext/site/static/escape.txt",
                         "/ext/site/static/up/secret.txt", "/ext/site/static/up/extension.json", "/ext/site/static/empty/",
                         "/ext/site/static/nothing.txt", "/ext/site/static/%2E%2E/%2E%2E/etc/passwd"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(!String(buffer: response.body).contains("neighbour"), "\(path)")
                }
            }
            try await client.execute(uri: "/ext/site/static/big.bin", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("ORDINAUT_STATIC_MAX_FILE_BYTES"))
            }
        }
    }

    @Test func withoutTheGrantTheFolderIsNotServed() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manifest = "\(root)/site/extension.json"
        try Data(#"{"id": "site", "name": "Site", "version": "1.0.0", "module": "run.sh", "requests": ["STATIC"], "grants": []}"#.utf8).write(to: URL(fileURLWithPath: manifest))
        try await withOrdinautApplication(configure: { $0.extensions.paths = [root] }) { client in
            try await client.execute(uri: "/ext/site/static/style.css", method: .get) { response in
                #expect(response.status != .ok)
                #expect(!String(buffer: response.body).contains("body{}"))
            }
        }
    }

    @Test func aBuiltInServesTheFilesCompiledIntoTheBinary() async throws {
        try await withOrdinautApplication { client in
            let etag = try await client.execute(uri: "/ext/events_demo/static/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains("<title>Events demo</title>"))
                return response.headers[.eTag]
            }
            try await client.execute(uri: "/ext/events_demo/static/index.html", method: .get, headers: [.ifNoneMatch: etag ?? "-"]) { response in
                #expect(response.status == .notModified)
            }
            try await client.execute(uri: "/ext/events_demo/static/../extension.json", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
