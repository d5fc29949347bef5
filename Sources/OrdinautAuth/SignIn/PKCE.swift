import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with the `S256` method: the verifier stays on the server,
/// its challenge goes with the browser to the authorization server, and only the holder of the
/// verifier can exchange the code that comes back.
public struct PKCE: Sendable, Hashable {
    /// The secret: 43 characters of base64url from 32 random bytes (RFC 7636 §4.1 allows 43–128).
    public let verifier: String

    /// A fresh verifier from the system's CSPRNG.
    public static func random() -> PKCE {
        PKCE(verifier: RandomToken.base64url())
    }

    /// A pair for a known verifier (tests, the RFC's example).
    public init(verifier: String) {
        self.verifier = verifier
    }

    /// `BASE64URL(SHA256(ASCII(verifier)))`, unpadded (RFC 7636 §4.2).
    public var challenge: String {
        RandomToken.base64url(Data(SHA256.hash(data: Data(verifier.utf8))))
    }
}
