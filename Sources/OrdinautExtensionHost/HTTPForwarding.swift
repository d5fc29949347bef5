import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautCore
import OrdinautHTTPCommon

/// Turns an `ordinaut/http` result into a response, checking every field.
enum HTTPForwarding {
    static func response(from result: JSONValue, extensionID: String) -> Response {
        guard let object = result.objectValue else {
            return malformed(extensionID, "the ordinaut/http result is not an object")
        }
        if let problem = HostProtocol.problem(object, definition: "httpResponseResult") {
            return malformed(extensionID, problem)
        }
        let status = HTTPResponse.Status(code: Int(object["status"]!.integerValue!))
        var headers = HTTPFields()
        for (name, value) in object["headers"]?.objectValue?.members ?? [] {
            guard let field = HTTPField.Name(name), let text = value.stringValue else {
                return malformed(extensionID, "response header \"\(name)\" is not a valid header")
            }
            // Framing is the host's business, never the extension's.
            if field == .contentLength || field == .transferEncoding || field == .connection { continue }
            headers[field] = text
        }
        let bytes: [UInt8]
        if let json = object["json"] {
            bytes = json.encoded()
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let body = object["body"]?.stringValue {
            if object["bodyEncoding"]?.stringValue == "base64" {
                guard let data = Data(base64Encoded: body) else { return malformed(extensionID, "body is not valid base64") }
                bytes = Array(data)
            } else {
                bytes = Array(body.utf8)
            }
        } else {
            bytes = []
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static func malformed(_ extensionID: String, _ problem: String) -> Response {
        ErrorBody.response(.badGateway, "extension_error", "extension \"\(extensionID)\" answered with a malformed HTTP response: \(problem)")
    }
}
