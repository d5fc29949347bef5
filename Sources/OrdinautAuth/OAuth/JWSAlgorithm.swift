/// The asymmetric JWS signature algorithms (RFC 7518 §3, RFC 8037) an access token may use.
///
/// There is deliberately no `none` and no `HS*`: a resource server holds only public keys, and an
/// HMAC "verified" with a public key is the classic algorithm-confusion forgery.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    case rs384 = "RS384"
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    case rs512 = "RS512"
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    case ps256 = "PS256"
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    case ps384 = "PS384"
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    case ps512 = "PS512"
    /// ECDSA on P-256 with SHA-256, signature as raw `r || s`.
    case es256 = "ES256"
    /// ECDSA on P-384 with SHA-384, signature as raw `r || s`.
    case es384 = "ES384"
    /// EdDSA; with our keys always Ed25519.
    case edDSA = "EdDSA"

    /// The algorithm named by a JWS `alg` header, or why it is not acceptable.
    static func parse(_ name: String) -> Result<JWSAlgorithm, TokenRejection> {
        if let algorithm = JWSAlgorithm(rawValue: name) { return .success(algorithm) }
        if name.lowercased() == "none" {
            return .failure(.unsupportedAlgorithm("the token is unsigned (alg \"none\"); only signed tokens are accepted"))
        }
        if name.uppercased().hasPrefix("HS") {
            return .failure(.unsupportedAlgorithm(
                "the token uses the symmetric algorithm \(TokenRejection.excerpt(name, limit: 32)); access tokens must be signed with the authorization server's private key (RS256, PS256, ES256 or EdDSA)"))
        }
        return .failure(.unsupportedAlgorithm(
            "the signature algorithm \"\(TokenRejection.excerpt(name, limit: 32))\" is not supported; use one of \(allCases.map(\.rawValue).joined(separator: ", "))"))
    }
}
