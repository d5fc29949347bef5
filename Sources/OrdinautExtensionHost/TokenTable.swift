import Crypto
import Foundation
import OrdinautCore

/// Operator-issued bearer tokens, stored as SHA-256 digests with their scopes. The tokens file is
/// JSON: `{"tokens": [{"name": "ci", "sha256": "<hex digest of the token>", "scopes": ["ext:x:routes"]}]}`.
/// `ordinaut token hash` prints the digest of a token.
public struct TokenTable: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let scopes: Set<String>
    }

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
            byDigest[digest] = Entry(name: entry["name"]?.stringValue ?? "token \(index)", scopes: Set(scopes))
        }
    }

    /// The entry of a presented bearer token, if it is one of ours.
    public func entry(forToken token: String) -> Entry? {
        byDigest[Self.digest(of: token)]
    }

    /// The hex SHA-256 digest of a token, as the tokens file stores it.
    public static func digest(of token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// A configuration value the host cannot use.
public struct ConfigurationProblem: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
