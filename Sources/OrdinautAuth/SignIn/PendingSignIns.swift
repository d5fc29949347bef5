/// Sign-ins sent to the authorization server and not yet back, by their `state`: each holds its PKCE
/// verifier, where to return afterwards and the fingerprint of the binding secret kept in the
/// browser's cookie. An entry is used at most once (taking it removes it, whether or not the
/// binding matches), ends at its expiry, and when `capacity` live entries are held a new sign-in is
/// refused rather than pushing out one a person is in the middle of.
///
/// Pure: time is passed in, so expiry, capacity and single use are tested without a clock.
public struct PendingSignIns<Instant: Comparable & Sendable>: Sendable {
    /// What a sign-in needs when it comes back.
    public struct Pending: Sendable, Hashable {
        /// The PKCE verifier the code is exchanged with.
        public let verifier: String
        /// The same-origin path to go to once signed in.
        public let returnPath: String

        /// A sign-in that will exchange its code with `verifier` and then go to `returnPath`.
        public init(verifier: String, returnPath: String) {
            self.verifier = verifier
            self.returnPath = returnPath
        }
    }

    /// Why a callback's state is refused.
    public enum Refusal: Error, Sendable, Hashable {
        /// No live entry has this state: never issued, already used, or expired.
        case unknownState
        /// The entry exists but the browser's binding cookie is missing or another one: the
        /// callback was not started by this browser (login CSRF). The entry is gone too.
        case bindingMismatch
    }

    private struct Entry: Sendable {
        let pending: Pending
        let binding: TokenFingerprint
        let expires: Instant
    }

    /// The most sign-ins in progress at once.
    public let capacity: Int
    private var entries: [String: Entry] = [:]
    /// States in insertion order from `head`, which is also expiry order (one lifetime for all);
    /// states already taken are skipped when met.
    private var order: [String] = []
    private var head = 0

    /// A table of at most `capacity` sign-ins.
    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Sign-ins held, expired ones not yet noticed included.
    public var count: Int { entries.count }

    /// Records a sign-in under `state` until `expires`, bound to the browser holding `binding`.
    /// Returns `false` (and records nothing) when `capacity` live sign-ins are already held.
    public mutating func add(state: String, _ pending: Pending, binding: String, until expires: Instant, now: Instant) -> Bool {
        dropExpired(now: now)
        guard entries[state] == nil, entries.count < capacity else { return false }
        entries[state] = Entry(pending: pending, binding: TokenFingerprint(of: binding), expires: expires)
        order.append(state)
        return true
    }

    /// The sign-in recorded under `state`, if it is live and `binding` is the browser's own; the
    /// entry is removed either way.
    public mutating func take(state: String, binding: String?, now: Instant) -> Result<Pending, Refusal> {
        guard let entry = entries.removeValue(forKey: state), now < entry.expires else { return .failure(.unknownState) }
        guard let binding, TokenFingerprint(of: binding) == entry.binding else { return .failure(.bindingMismatch) }
        return .success(entry.pending)
    }

    private mutating func dropExpired(now: Instant) {
        while head < order.count {
            let state = order[head]
            if let entry = entries[state] {
                guard now >= entry.expires else { break }
                entries[state] = nil
            }
            head += 1
        }
        if head > 64 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
