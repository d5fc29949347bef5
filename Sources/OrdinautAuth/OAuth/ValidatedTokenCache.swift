import Foundation

/// Principals of recently accepted tokens by fingerprint (SHA-256), each until its own expiry.
///
/// Only acceptances are cached: a rejection is cheap to repeat for a JWT, and caching one would let
/// a token that was merely early (`nbf`) or met a stale key set stay refused.
typealias ValidatedTokenCache = ExpiringCache<TokenFingerprint, Principal, Date>
