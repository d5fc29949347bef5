import Foundation

/// Principals of recently accepted tokens by fingerprint (SHA-256), each until its own expiry, at
/// most `capacity` of them (0 keeps none); when full, the oldest insertion goes first. A hit costs
/// a dictionary lookup.
///
/// Only acceptances are cached: a rejection is cheap to repeat for a JWT, and caching one would let
/// a token that was merely early (`nbf`) or met a stale key set stay refused.
struct ValidatedTokenCache: Sendable {
    private struct Entry: Sendable {
        let principal: Principal
        let expiresAt: Date
        let sequence: UInt64
    }

    /// The most entries held.
    let capacity: Int
    private var entries: [TokenFingerprint: Entry] = [:]
    /// Insertion order, oldest first from `head`; pairs whose sequence no longer matches the entry
    /// are left-overs of replaced or expired entries and are skipped.
    private var order: [(fingerprint: TokenFingerprint, sequence: UInt64)] = []
    private var head = 0
    private var nextSequence: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The number of entries held, expired ones not yet noticed included.
    var count: Int { entries.count }

    /// The principal cached for `fingerprint`, if it has not expired by `now`.
    mutating func principal(for fingerprint: TokenFingerprint, now: Date) -> Principal? {
        guard let entry = entries[fingerprint] else { return nil }
        guard now < entry.expiresAt else {
            entries[fingerprint] = nil
            return nil
        }
        return entry.principal
    }

    /// Keeps `principal` for `fingerprint` until `expiresAt`; nothing is kept for a time already past.
    mutating func insert(_ principal: Principal, for fingerprint: TokenFingerprint, until expiresAt: Date, now: Date) {
        guard expiresAt > now, capacity > 0 else { return }
        if entries[fingerprint] == nil {
            while entries.count >= capacity, evictOldest() {}
        }
        nextSequence += 1
        entries[fingerprint] = Entry(principal: principal, expiresAt: expiresAt, sequence: nextSequence)
        order.append((fingerprint, nextSequence))
        compactIfNeeded()
    }

    private mutating func evictOldest() -> Bool {
        while head < order.count {
            let (fingerprint, sequence) = order[head]
            head += 1
            if entries[fingerprint]?.sequence == sequence {
                entries[fingerprint] = nil
                return true
            }
        }
        return false
    }

    /// Drops consumed and left-over pairs so that `order` stays within a small multiple of `capacity`.
    private mutating func compactIfNeeded() {
        guard order.count - head > 2 * capacity || (head > 1024 && head > order.count / 2) else { return }
        order = order[head...].filter { entries[$0.fingerprint]?.sequence == $0.sequence }
        head = 0
    }
}
