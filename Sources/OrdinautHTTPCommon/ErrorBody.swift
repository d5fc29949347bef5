import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautCore

/// The seed's error body, `{"error", "message", "details"}`, used by every endpoint that is not MCP (the REST API, extensions).
public enum ErrorBody {
    public static func response(_ status: HTTPResponse.Status, _ error: String, _ message: String, details: JSONValue? = nil,
                         headers extra: HTTPFields = [:]) -> Response {
        var object: JSONObject = ["error": .string(error), "message": .string(message)]
        if let details { object["details"] = details }
        return json(status, .object(object), headers: extra)
    }

    public static func json(_ status: HTTPResponse.Status, _ body: JSONValue, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.encoded())))
    }
}

