import Foundation
import OrdinautCore

/// Reads registered claims (RFC 7519 §4.1, RFC 9068, RFC 8693 `scope`) from a JWT payload or an
/// introspection response. An absent claim is `nil`; a present claim of the wrong type is an error,
/// never silently ignored.
struct ClaimReader {
    let payload: JSONObject

    /// A string claim.
    func string(_ name: String) throws(TokenRejection) -> String? {
        guard let value = payload[name] else { return nil }
        guard let text = value.stringValue else {
            throw .malformed("the \"\(name)\" claim is a \(value.typeName), not a string")
        }
        return text
    }

    /// A NumericDate claim: seconds since the epoch, possibly fractional.
    func date(_ name: String) throws(TokenRejection) -> Date? {
        guard let value = payload[name] else { return nil }
        guard let seconds = value.doubleValue, seconds.isFinite else {
            throw .malformed("the \"\(name)\" claim is a \(value.typeName), not a number of seconds since 1970")
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// `aud`: one string or an array of strings (RFC 7519 §4.1.3).
    func audiences() throws(TokenRejection) -> [String]? {
        switch payload["aud"] {
        case nil: return nil
        case .string(let one)?: return [one]
        case .array(let many)?:
            var result: [String] = []
            for member in many {
                guard let text = member.stringValue else { throw .malformed("the \"aud\" array holds a \(member.typeName), not only strings") }
                result.append(text)
            }
            return result
        case let other?: throw .malformed("the \"aud\" claim is a \(other.typeName), not a string or an array of strings")
        }
    }

    /// The granted scopes: `scope`, a space-separated string (RFC 8693 §4.2, RFC 9068 §2.2.3), or
    /// else `scp`, an array of strings or a space-separated string (Azure AD, Okta). `scope` wins
    /// when both are present. Neither means no scope at all.
    func scopes() throws(TokenRejection) -> [String] {
        if let scope = payload["scope"] {
            guard let text = scope.stringValue else {
                throw .malformed("the \"scope\" claim is a \(scope.typeName), not a space-separated string")
            }
            return Self.split(text)
        }
        switch payload["scp"] {
        case nil: return []
        case .string(let text)?: return Self.split(text)
        case .array(let many)?:
            var result: [String] = []
            for member in many {
                guard let text = member.stringValue else { throw .malformed("the \"scp\" array holds a \(member.typeName), not only strings") }
                result.append(contentsOf: Self.split(text))
            }
            return result
        case let other?: throw .malformed("the \"scp\" claim is a \(other.typeName), not a string or an array of strings")
        }
    }

    private static func split(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
}
