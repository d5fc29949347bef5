import Crypto
import Foundation

/// Unguessable text for tokens and session secrets.
enum RandomToken {
    /// 32 bytes of the system's CSPRNG in unpadded base64url: 43 characters, safe in headers, cookies and URLs.
    static func base64url() -> String {
        base64url(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// `bytes` in unpadded base64url.
    static func base64url(_ bytes: Data) -> String {
        bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
