import Crypto
import Foundation

/// The SHA-256 of a token as four words: the key under which an accepted token is remembered, so
/// the token itself is never kept.
///
/// The same digest as ``TokenDigest/hex(of:)``, without the hex text: building those 64 characters
/// costs about 2.5 µs, four times the hash itself, and the cached check is meant to stay under 2 µs.
struct TokenFingerprint: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    init(of token: String) {
        var token = token
        let digest = token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        words = digest.withUnsafeBytes { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    static func == (lhs: TokenFingerprint, rhs: TokenFingerprint) -> Bool {
        lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
