import HTTPTypes
import Hummingbird
import NIOCore
import OrdinautCore
import OrdinautHTTPCommon

/// `GET /openapi.json`, the REST contract compiled into the binary from `protocol/openapi.json`,
/// and `GET /`: a redirect to the web UI when the `webui` extension is enabled, otherwise a 404
/// that says what this server does serve. Both are open (no credential): neither reveals data.
public struct DocumentsAPI: Sendable {
    let openAPI: [UInt8]
    let webUIEnabled: Bool

    public init(openAPI: [UInt8], webUIEnabled: Bool) {
        self.openAPI = openAPI
        self.webUIEnabled = webUIEnabled
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let document = ByteBuffer(bytes: openAPI)
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"], body: ResponseBody(byteBuffer: document))
        }
        router.get("/") { _, _ in
            if webUIEnabled { return Response(status: .seeOther, headers: [.location: "/ext/webui/"]) }
            return ErrorBody.response(.notFound, "not_found",
                                      "This is an Ordinaut server; no web UI is enabled here (extension \"webui\"). "
                                      + "MCP is served at /mcp, the REST API is described at /openapi.json, extensions are listed at /extensions.",
                                      details: ["mcp": "/mcp", "openapi": "/openapi.json", "health": "/health", "extensions": "/extensions"])
        }
    }
}
