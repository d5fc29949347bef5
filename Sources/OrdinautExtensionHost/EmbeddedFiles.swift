import Crypto
import HTTPTypes
import Hummingbird
import OrdinautExtensionKit

/// Serves a built-in extension's `static/` folder from the copy compiled into the binary (the
/// installed binary carries no folders), under `/ext/<id>/static/`. Only names the build embedded
/// exist, looked up exactly: `..`, encoded forms and backslashes name nothing and answer 404.
/// A folder's address answers its `index.html`. Answers carry an `ETag` (a digest of the bytes) and
/// `If-None-Match` is answered 304, so a browser revalidates instead of downloading again.
struct EmbeddedFiles: RouterMiddleware {
    typealias Context = ExtensionRequestContext

    /// The resource name of the folder, e.g. `extensions/webui/static`.
    let folder: String
    /// The address the folder is served at, e.g. `/ext/webui/static`.
    let urlBasePath: String

    /// HTML pages may show images a tool returned (`data:` and `blob:` URLs); everything else is
    /// the server's own.
    static let pagePolicy = "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        let path = request.uri.path
        guard path == urlBasePath || path.hasPrefix(urlBasePath + "/") else { return try await next(request, context) }
        var name = String(path.dropFirst(urlBasePath.count))
        if name.isEmpty { return Response(status: .movedPermanently, headers: [.location: urlBasePath + "/"]) }
        if name.hasSuffix("/") { name += "index.html" }
        guard let bytes = EmbeddedResource.bytes(folder + name) else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        let tag = "\"" + SHA256.hash(data: bytes).prefix(12).map { String($0, radix: 16, uppercase: false).leftPadded }.joined() + "\""
        var headers: HTTPFields = [.eTag: tag, .cacheControl: "no-cache", .contentType: Self.contentType(name)]
        if name.hasSuffix(".html") { headers[.contentSecurityPolicy] = Self.pagePolicy }
        if let wanted = request.headers[.ifNoneMatch], wanted.split(separator: ",").contains(where: { $0.filter { $0 != " " } == tag }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(bytes.count)
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        return Response(status: .ok, headers: headers, body: body)
    }

    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}

private extension String {
    var leftPadded: String { count == 1 ? "0" + self : self }
}
