import Hummingbird

// Usage: HummingbirdBaseline PORT — serves a fixed ~150-byte JSON body: GET and POST `/` without
// reading the request, POST `/collect` after reading the whole request body (as an MCP POST must).
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8090 : 8090
let body = #"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}]}}"#
let router = Router()
router.get("/") { _, _ in body }
router.post("/") { _, _ in body }
router.post("/collect") { request, _ in
    _ = try await request.body.collect(upTo: 1 << 20)
    return body
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
