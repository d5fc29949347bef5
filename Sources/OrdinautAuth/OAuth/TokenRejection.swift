/// Why an access token is not accepted, in words for the log and the `WWW-Authenticate`
/// `error_description`. A reason never contains the token or a signature, only what to look at, and
/// it is safe to put in that header as it is: printable ASCII without `"` or `\` (RFC 6750 §3),
/// at most ``maximumReasonLength`` characters, whatever a token's claims or headers held.
///
/// A struct with an open set of kinds rather than an enum, so that a new kind of rejection does not
/// break callers that switch over the existing ones.
public struct TokenRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a rejection, for metrics and for the one decision a caller makes on it
    /// (refetch the key set on ``unknownKey``).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// A short stable name (`malformed`, `unknown_key`, …) for metrics labels.
        public let name: String

        /// Not a well-formed compact JWS, or a header or claim has the wrong type.
        public static let malformed = Kind(name: "malformed")
        /// `alg` is `none`, symmetric, unknown, or not allowed for the key.
        public static let unsupportedAlgorithm = Kind(name: "unsupported_algorithm")
        /// A header we refuse to honour (`crit`, `jku`, `x5u`, `jwk`, `x5c`) or a wrong `typ`.
        public static let forbiddenHeader = Kind(name: "forbidden_header")
        /// No key of the key set matches the token's `kid`: the caller may refetch the set once.
        public static let unknownKey = Kind(name: "unknown_key")
        /// The signature does not verify with the selected key.
        public static let invalidSignature = Kind(name: "invalid_signature")
        /// A claim is missing or wrong: issuer, audience, subject, not-before, issued-at.
        public static let invalidClaims = Kind(name: "invalid_claims")
        /// The token's `exp` has passed (leeway included).
        public static let expired = Kind(name: "expired")
        /// The authorization server's introspection says the token is not active.
        public static let inactive = Kind(name: "inactive")
        /// The token cannot be checked now (keys or introspection unreachable): a 503, not a 401.
        public static let unavailable = Kind(name: "unavailable")

        public var description: String { name }
    }

    /// The category.
    public let kind: Kind
    /// What is wrong and, where it helps, what to fix.
    public let reason: String

    /// The longest reason kept, in characters.
    public static let maximumReasonLength = 400

    /// A rejection of `kind` with a reason for people; characters a header cannot carry are replaced
    /// (`"` by `'`, `\` by `/`, anything else outside printable ASCII by `?`).
    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        var safe = ""
        safe.reserveCapacity(min(reason.utf8.count, Self.maximumReasonLength + 3))
        for scalar in reason.unicodeScalars {
            if safe.unicodeScalars.count >= Self.maximumReasonLength {
                safe += "..."
                break
            }
            switch scalar.value {
            case 0x22: safe.append("'")
            case 0x5C: safe.append("/")
            case 0x20...0x7E: safe.unicodeScalars.append(scalar)
            default: safe.append("?")
            }
        }
        self.reason = safe
    }

    /// Text from a token or a document as it may appear in a reason: cut after `limit` characters.
    static func excerpt(_ text: String, limit: Int = 64) -> String {
        text.count > limit ? String(text.prefix(limit)) + "..." : text
    }

    /// Whether refetching the key set could change the outcome (the token names a key we lack).
    public var isUnknownKey: Bool { kind == .unknownKey }

    public var description: String { reason }

    static func malformed(_ reason: String) -> TokenRejection { TokenRejection(.malformed, reason) }
    static func unsupportedAlgorithm(_ reason: String) -> TokenRejection { TokenRejection(.unsupportedAlgorithm, reason) }
    static func forbiddenHeader(_ reason: String) -> TokenRejection { TokenRejection(.forbiddenHeader, reason) }
    static func unknownKey(_ reason: String) -> TokenRejection { TokenRejection(.unknownKey, reason) }
    static func invalidSignature(_ reason: String) -> TokenRejection { TokenRejection(.invalidSignature, reason) }
    static func invalidClaims(_ reason: String) -> TokenRejection { TokenRejection(.invalidClaims, reason) }
    static func expired(_ reason: String) -> TokenRejection { TokenRejection(.expired, reason) }
    static func inactive(_ reason: String) -> TokenRejection { TokenRejection(.inactive, reason) }
    static func unavailable(_ reason: String) -> TokenRejection { TokenRejection(.unavailable, reason) }
}
