import OrdinautCore
import OrdinautMCP
import Testing

@Suite("JSON-RPC decoding")
struct JSONRPCMessageTests {
    @Test func keepsStringAndNumberIDsDistinct() throws {
        guard case .success(.request(let a)) = JSONRPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":"1","method":"ping"}"#.utf8)),
              case .success(.request(let b)) = JSONRPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8))
        else { Issue.record("valid requests were rejected"); return }
        #expect(a.id == .string("1"))
        #expect(b.id == .number(1))
        #expect(a.id != b.id)
    }

    @Test("invalid messages get the specified code", arguments: [
        (#"{"jsonrpc":"2.0","id":1,"method":"ping""#, -32700, false),
        (#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, -32600, false),
        (#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, -32600, true),
        (#"{"jsonrpc":"2.0","id":1,"method":7}"#, -32600, true),
        (#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, -32600, false),
        (#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, -32600, false),
        (#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#, -32600, true),
        (#"{"jsonrpc":"2.0","id":1}"#, -32600, true),
        (#"42"#, -32600, false),
    ])
    func rejects(_ text: String, _ code: Int, _ keepsID: Bool) {
        guard case .failure(let failure) = JSONRPCMessage.decode(Array(text.utf8)) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(failure.error.code == code)
        #expect((failure.id != nil) == keepsID)
    }

    @Test func classifiesNotificationsAndResponses() {
        guard case .success(.notification(let note)) = JSONRPCMessage.decode(Array(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8)) else {
            Issue.record("notification not recognised")
            return
        }
        #expect(note.method == "notifications/initialized")
        guard case .success(.response(let response)) = JSONRPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":"s-1","error":{"code":-1,"message":"no"}}"#.utf8)) else {
            Issue.record("error response not recognised")
            return
        }
        #expect(response.id == .string("s-1"))
    }

    @Test func decoderSurvivesMutatedMessages() {
        var rng = SystemRandomNumberGenerator()
        let seed = Array(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,2,{"b":null}]}}}"#.utf8)
        for _ in 0..<5_000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: position)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            switch JSONRPCMessage.decode(bytes) {
            case .success, .failure: continue
            }
        }
    }
}

@Suite("Tool names on the wire")
struct ToolNameTests {
    @Test func dottedNamesMapToValidWireNames() {
        #expect(ToolName.wireName(for: "ext.billing.charge") == "ext__billing__charge")
        #expect(ToolName.problem(with: "ext.billing.charge") == nil)
        #expect(ToolName.problem(with: "bad name") != nil)
        #expect(ToolName.problem(with: "a..b") != nil)
        #expect(ToolName.problem(with: String(repeating: "x", count: 65)) != nil)
    }
}

@Suite("JSON-RPC answers")
struct JSONRPCResponseTests {
    /// The envelope is written without building the wrapping object; its text must be the object's.
    @Test("an answer's text is its JSON's text", arguments: [
        JSONRPCResponse.success(.number(7), ["content": [["type": "text", "text": "a \"quoted\"\nline"]], "isError": false]),
        JSONRPCResponse.success(.string("x\u{2028}y"), [:]),
        JSONRPCResponse.success(.number(-1), .null),
        JSONRPCResponse.failure(.number(3), RPCError(code: -32602, message: "bad", data: ["field": "a"])),
        JSONRPCResponse.failure(nil, .parseError("unexpected end")),
    ])
    func encodesAsItsJSON(_ response: JSONRPCResponse) throws {
        #expect(response.encoded() == response.json.encoded())
        let parsed = try JSONParser().parse(response.encoded())
        #expect(parsed == response.json)
    }
}
