import Crypto
import Foundation
import Synchronization

/// The web UI's sign-ins: a browser that presented a credential once gets a session secret (kept
/// in an `HttpOnly` cookie) and a CSRF token (kept by the page, sent in a header with every request
/// that changes something). The secret is not stored: sessions are found by its SHA-256. The CSRF
/// token is an HMAC of the secret under a key that lives only in this process, so the page can be
/// told it again after a reload (`GET /session`) without it being stored either.
///
/// A session holds the credential it was opened with, not a principal: each request made with the
/// cookie authenticates that credential through the same authenticators as a bearer token, so a
/// revoked or expired token ends its sessions at once and the scopes are always the token's own.
/// Sessions end at their lifetime, on sign-out, or when `capacity` newer ones push the oldest out.
public final class BrowserSessions: Sendable {
    /// What a sign-in hands the browser.
    public struct Issued: Sendable, Equatable {
        /// The cookie's value.
        public let secret: String
        /// The value of the `X-CSRF-Token` header state-changing requests must carry.
        public let csrfToken: String
        /// How long the session lasts.
        public let lifetime: Duration

        /// The lifetime in whole seconds: the cookie's `Max-Age`.
        public var maxAge: Int { Int(lifetime.components.seconds) }
    }

    /// How long a session lasts from sign-in (`ORDINAUT_UI_SESSION_SECONDS`).
    public let lifetime: Duration
    /// The most sessions held at once (`ORDINAUT_UI_MAX_SESSIONS`).
    public let capacity: Int
    private let sessions: Mutex<ExpiringCache<TokenFingerprint, Credential, ContinuousClock.Instant>>
    /// The HMAC key of CSRF tokens, as bytes (`SymmetricKey` is not `Sendable`).
    private let csrfKey = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }

    public init(lifetime: Duration, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = capacity
        sessions = Mutex(ExpiringCache(capacity: capacity))
    }

    /// Opens a session for a credential that has just authenticated, for ``lifetime`` or for
    /// `notAfter` when that is shorter (the remaining life of an access token).
    public func open(_ credential: Credential, notAfter: Duration? = nil, now: ContinuousClock.Instant = .now) -> Issued {
        let secret = RandomToken.base64url()
        let length = notAfter.map { min($0, lifetime) } ?? lifetime
        sessions.withLock { $0.insert(credential, for: TokenFingerprint(of: secret), until: now + length, now: now) }
        return Issued(secret: secret, csrfToken: csrfToken(for: secret), lifetime: length)
    }

    /// The credential of the session a cookie names, unless the session ended.
    public func credential(_ secret: String, now: ContinuousClock.Instant = .now) -> Credential? {
        sessions.withLock { $0.value(for: TokenFingerprint(of: secret), now: now) }
    }

    /// The CSRF token that goes with a session secret.
    public func csrfToken(for secret: String) -> String {
        RandomToken.base64url(Data(HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: SymmetricKey(data: csrfKey))))
    }

    /// Whether `token` is the CSRF token of `secret` (compared without an early exit).
    public func accepts(csrfToken token: String?, for secret: String) -> Bool {
        guard let token else { return false }
        let expected = Array(csrfToken(for: secret).utf8), presented = Array(token.utf8)
        guard expected.count == presented.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, presented) { difference |= a ^ b }
        return difference == 0
    }

    /// Ends a session (sign-out).
    public func close(_ secret: String) {
        sessions.withLock { $0.remove(TokenFingerprint(of: secret)) }
    }
}
