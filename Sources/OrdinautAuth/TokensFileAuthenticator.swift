import Crypto
import Foundation
import OrdinautCore

/// Operator-issued bearer tokens, stored as SHA-256 digests with their scopes. The tokens file is
/// JSON: `{"tokens": [{"name": "ci", "sha256": "<hex digest of the token>", "scopes": ["tasks:read"]}]}`.
/// `ordinaut token hash` prints the digest of a token.
public struct TokensFileAuthenticator: Authenticator {
    public struct Entry: Sendable {
        public let name: String
        public let scopes: ScopeSet
        /// Built once, when the file is read.
        let principal: Principal

        init(name: String, scopes: ScopeSet) {
            self.name = name
            self.scopes = scopes
            principal = Principal(subject: "token:" + name, displayName: name, scopes: scopes, method: .tokensFile)
        }
    }

    public var name: String { "tokens_file" }
    private var byDigest: [String: Entry] = [:]

    public init() {}

    public var isEmpty: Bool { byDigest.isEmpty }

    /// Reads a tokens file; every problem names the file and the entry.
    public init(contentsOf path: String) throws(ConfigurationProblem) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationProblem("ORDINAUT_TOKENS_FILE=\(path): cannot read the file")
        }
        let document: JSONValue
        do {
            document = try JSONParser().parse(Array(data))
        } catch {
            throw ConfigurationProblem("ORDINAUT_TOKENS_FILE=\(path): not valid JSON: \(error)")
        }
        guard let entries = document["tokens"]?.arrayValue else {
            throw ConfigurationProblem("ORDINAUT_TOKENS_FILE=\(path): expected {\"tokens\": [...]}")
        }
        for (index, entry) in entries.enumerated() {
            guard let digest = entry["sha256"]?.stringValue?.lowercased(), digest.count == 64,
                  digest.allSatisfy(\.isHexDigit) else {
                throw ConfigurationProblem("ORDINAUT_TOKENS_FILE=\(path): tokens[\(index)].sha256 must be 64 hex digits")
            }
            guard let scopes = entry["scopes"]?.arrayValue?.compactMap(\.stringValue) else {
                throw ConfigurationProblem("ORDINAUT_TOKENS_FILE=\(path): tokens[\(index)].scopes must be an array of strings")
            }
            byDigest[digest] = Entry(name: entry["name"]?.stringValue ?? "token \(index)", scopes: ScopeSet(scopes))
        }
    }

    public func authenticate(_ credential: Credential) async -> AuthenticationResult {
        guard case .bearer(let token) = credential, let entry = entry(forToken: token) else { return .unrecognized }
        return .authenticated(entry.principal)
    }

    /// The entry of a presented bearer token, if it is one of ours.
    public func entry(forToken token: String) -> Entry? {
        byDigest[TokenDigest.hex(of: token)]
    }
}

/// The SHA-256 of a token in hex: how the tokens file and the database keep tokens, never in clear.
public enum TokenDigest {
    /// On every authenticated request, so written for speed: the token's bytes are hashed in place
    /// and the 64 characters written straight into the string's storage.
    public static func hex(of token: String) -> String {
        var token = token
        let digest = token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return String(unsafeUninitializedCapacity: 64) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0f)]
                index += 2
            }
            return 64
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// A configuration value that cannot be used, with the setting to fix.
public struct ConfigurationProblem: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
