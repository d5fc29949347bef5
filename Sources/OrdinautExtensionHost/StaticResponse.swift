import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautHTTPCommon

/// The answer to a `GET`/`HEAD` of an extension's static file: the file with its content type,
/// `ETag`, `Last-Modified` and `Cache-Control: no-cache` (revalidate each time), or 304 when the
/// client's copy is current (`If-None-Match` first, else `If-Modified-Since`, as RFC 9110 orders them).
enum StaticResponse {
    static func make(_ lookup: StaticFiles.Lookup, request: HTTPRequest, extensionID: String, maxBytes: Int) -> Response {
        guard request.method == .get || request.method == .head else {
            return ErrorBody.response(.methodNotAllowed, "method_not_allowed", "static files answer GET and HEAD only",
                                      headers: [.allow: "GET, HEAD"])
        }
        let file: StaticFiles.File
        switch lookup {
        case .found(let found): file = found
        case .missing:
            return ErrorBody.response(.notFound, "not_found", "extension \"\(extensionID)\" has no static file \(request.path ?? "")")
        case .tooLarge(let size):
            return ErrorBody.response(.notFound, "not_found",
                                      "the static file is \(size) bytes, more than ORDINAUT_STATIC_MAX_FILE_BYTES (\(maxBytes)); it is not served")
        }
        var headers: HTTPFields = [
            .eTag: file.etag, .lastModified: httpDate(file.modified), .cacheControl: "no-cache",
        ]
        if notModified(file, request.headerFields) { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = contentType(file.name)
        headers[.contentLength] = String(file.bytes.count)
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        let body = ResponseBody(byteBuffer: request.method == .head ? ByteBuffer() : ByteBuffer(bytes: file.bytes))
        return Response(status: .ok, headers: headers, body: body)
    }

    static func notModified(_ file: StaticFiles.File, _ headers: HTTPFields) -> Bool {
        if let match = headers[.ifNoneMatch] {
            let tags = match.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return tags.contains("*") || tags.contains { $0 == file.etag || $0 == "W/" + file.etag }
        }
        if let since = headers[.ifModifiedSince], let time = parseHTTPDate(since) { return file.modified <= time }
        return false
    }

    /// The media type of a file by its extension; unknown ones are bytes.
    static func contentType(_ name: String) -> String {
        let suffix = name.split(separator: ".").count > 1 ? name.split(separator: ".").last!.lowercased() : ""
        return types[suffix] ?? "application/octet-stream"
    }

    private static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "json": "application/json", "map": "application/json", "webmanifest": "application/manifest+json",
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8",
        "xml": "application/xml", "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
        "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "ico": "image/x-icon",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "wasm": "application/wasm", "pdf": "application/pdf",
    ]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110's IMF-fixdate).
    static func httpDate(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Seconds since 1970 of an IMF-fixdate; nil for anything else (the header is then ignored).
    static func parseHTTPDate(_ text: String) -> Int? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
              let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else {
            return nil
        }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(clock[0])
        fields.tm_min = Int32(clock[1])
        fields.tm_sec = Int32(clock[2])
        return Int(timegm(&fields))
    }
}
