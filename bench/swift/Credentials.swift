import Foundation
import OrdinautAuth

/// The access layer's share of an authenticated request: a credential checked through the chain the
/// server uses, with the answer already cached (the state of every request after a client's first).
/// Prints one JSON object per authenticator, like the other W9 measurements.
func benchCredentialChecks() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ordinaut-bench-\(UInt32.random(in: 0 ... .max))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let fileToken = "bench-token-0123456789abcdef0123456789abcdef"
    let tokensPath = folder.appendingPathComponent("tokens.json").path
    try Data(#"{"tokens": [{"name": "bench", "sha256": "\#(TokenDigest.hex(of: fileToken))", "scopes": ["mcp"]}]}"#.utf8)
        .write(to: URL(fileURLWithPath: tokensPath))
    let tokensFile = try TokensFileAuthenticator(contentsOf: tokensPath)

    struct OneAgent: AgentTokenDirectory {
        let digest: String
        func lookup(digest: String) async throws -> AgentTokenLookup {
            digest == self.digest ? .found(agentID: "a1", agentName: "bench", tokenID: "t1", scopes: ["mcp"]) : .unknown
        }
    }
    let agentToken = AgentTokenFormat.generate()
    let agents = AgentTokenAuthenticator(directory: OneAgent(digest: TokenDigest.hex(of: agentToken)), revocationDelay: .seconds(3600))

    for (label, chain, token) in [
        ("credential check: tokens file (SHA-256 + lookup)", AuthenticatorChain([tokensFile]), fileToken),
        ("credential check: agent token, cached (tokens file asked first)", AuthenticatorChain([tokensFile, agents]), agentToken),
    ] {
        let rounds = 200_000
        var samples: [Double] = []
        for _ in 0..<4 {
            let start = DispatchTime.now().uptimeNanoseconds
            var accepted = 0
            for _ in 0..<rounds {
                if case .authenticated = await chain.authenticate(.bearer(token)) { accepted += 1 }
            }
            precondition(accepted == rounds, "the credential was refused")
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(rounds))
        }
        samples.removeFirst()
        samples.sort()
        print(#"{"label":"\#(label)","ns_per_op":\#(String(format: "%.1f", samples[1])),"min":\#(String(format: "%.1f", samples[0])),"max":\#(String(format: "%.1f", samples[2])),"ops":\#(rounds),"checksum":0}"#)
    }
}
