import HTTPTypes
@testable import OrdinautHTTP
import OrdinautHTTPCommon
import Testing

@Suite("Reading header fields and Host decisions")
struct HeaderReadingTests {
    @Test func aFieldReadsAsTheSubscriptReadsIt() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .contentType, value: "application/json"))
        fields.append(HTTPField(name: .accept, value: "application/json"))
        fields.append(HTTPField(name: .accept, value: "text/event-stream"))
        #expect(fields.value(.contentType) == "application/json")
        #expect(fields.value(.accept) == fields[.accept] && fields.value(.accept) == "application/json, text/event-stream",
                "several fields of one name are joined as before, so a duplicated Authorization or Host stays visible")
        #expect(fields.value(.authorization) == nil)
    }

    @Test func hostDecisionsStayRightPastTheirBound() {
        let policy = BrowserPolicy(allowedOrigins: [], allowedHosts: ["ordinaut.example.com"], bindHost: "127.0.0.1")
        // A client choosing a new Host header on every request fills what is kept, then is decided each time.
        for index in 0..<200 { #expect(!policy.allowsHost("attacker\(index).example")) }
        #expect(policy.allowsHost("ordinaut.example.com") && policy.allowsHost("127.0.0.1:8080"))
        #expect(!policy.allowsHost("evil.example") && !policy.allowsHost("evil.example"), "a refusal is the same decided or kept")
        #expect(!policy.allowsHost(nil) && !policy.allowsHost("a b"))
    }

    @Test func theDecisionCacheKeepsAtMostItsCapacity() {
        let decisions = HostDecisions(capacity: 2)
        var asked = 0
        for _ in 0..<3 {
            for host in ["a", "b", "c"] { _ = decisions.decision(for: host) { _ in asked += 1; return true } }
        }
        #expect(asked == 2 + 3, "a and b are decided once and kept; c, past the capacity, every time")
    }
}
