import OrdinautAuth
import Testing

@Suite("Web UI sessions")
struct BrowserSessionsTests {
    let start = ContinuousClock.now

    @Test func aSessionGivesBackItsCredentialUntilItsLifetimeEnds() {
        let sessions = BrowserSessions(lifetime: .seconds(60), capacity: 10)
        let issued = sessions.open(.bearer("token-a"), now: start)
        #expect(sessions.credential(issued.secret, now: start + .seconds(59)) == .bearer("token-a"))
        #expect(sessions.credential(issued.secret, now: start + .seconds(60)) == nil)
        #expect(sessions.credential("made-up", now: start) == nil)
    }

    @Test func aSessionEndsNoLaterThanTheTokenItWasOpenedWith() {
        let sessions = BrowserSessions(lifetime: .seconds(60), capacity: 10)
        let short = sessions.open(.bearer("a"), notAfter: .seconds(20), now: start)
        #expect(short.maxAge == 20)
        #expect(sessions.credential(short.secret, now: start + .seconds(19)) == .bearer("a"))
        #expect(sessions.credential(short.secret, now: start + .seconds(20)) == nil)
        // A token living longer than a session does not lengthen it.
        #expect(sessions.open(.bearer("b"), notAfter: .seconds(3600), now: start).maxAge == 60)
    }

    @Test func signingOutEndsTheSessionAtOnce() {
        let sessions = BrowserSessions(lifetime: .seconds(60), capacity: 10)
        let issued = sessions.open(.bearer("token-a"), now: start)
        sessions.close(issued.secret)
        #expect(sessions.credential(issued.secret, now: start) == nil)
    }

    @Test func theOldestSessionEndsWhenTheBoundIsReached() {
        let sessions = BrowserSessions(lifetime: .seconds(60), capacity: 2)
        let first = sessions.open(.bearer("a"), now: start)
        let second = sessions.open(.bearer("b"), now: start)
        let third = sessions.open(.bearer("c"), now: start)
        #expect(sessions.credential(first.secret, now: start) == nil)
        #expect(sessions.credential(second.secret, now: start) == .bearer("b"))
        #expect(sessions.credential(third.secret, now: start) == .bearer("c"))
    }

    @Test func theCSRFTokenBelongsToItsSessionAlone() {
        let sessions = BrowserSessions(lifetime: .seconds(60), capacity: 10)
        let one = sessions.open(.bearer("a"), now: start)
        let other = sessions.open(.bearer("a"), now: start)
        #expect(one.secret != other.secret)
        #expect(one.csrfToken != other.csrfToken)
        #expect(sessions.accepts(csrfToken: one.csrfToken, for: one.secret))
        #expect(sessions.csrfToken(for: one.secret) == one.csrfToken)
        #expect(!sessions.accepts(csrfToken: other.csrfToken, for: one.secret))
        #expect(!sessions.accepts(csrfToken: nil, for: one.secret))
        #expect(!sessions.accepts(csrfToken: "", for: one.secret))
        #expect(!sessions.accepts(csrfToken: String(one.csrfToken.dropLast()), for: one.secret))
        // Another process (a restart) has another key: old tokens stop working with the sessions.
        #expect(BrowserSessions(lifetime: .seconds(60), capacity: 10).csrfToken(for: one.secret) != one.csrfToken)
    }

    @Test func secretsAreLongAndURLSafe() {
        let issued = BrowserSessions(lifetime: .seconds(60), capacity: 1).open(.bearer("a"), now: start)
        for text in [issued.secret, issued.csrfToken] {
            #expect(text.count == 43)
            #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
    }
}
