import OrdinautHTTP
import Testing

@Suite("Hosts, origins and media types")
struct BrowserRuleTests {
    @Test func loopbackIsDecidedByParsingNeverByPrefix() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"] {
            #expect(HostAuthority.isLoopback(host), "\(host)")
        }
        for host in ["127.0.0.1.rebind.evil.example", "127.evil.example", "128.0.0.1", "0.0.0.0", "::2", "localhost.evil.example",
                     "127.0.0.1 ", "0x7f.0.0.1", "2130706433", ""] {
            #expect(!HostAuthority.isLoopback(host), "\(host)")
        }
    }

    @Test func authoritiesParseStrictly() {
        #expect(HostAuthority("127.0.0.1:8080") == HostAuthority("127.0.0.1:8080"))
        #expect(HostAuthority("127.0.0.1:8080")?.port == 8080)
        #expect(HostAuthority("[::1]:9000")?.host == "::1")
        #expect(HostAuthority("Example.COM")?.host == "example.com")
        for bad in ["", "a b", "host:", "host:99999", "host:12ab", "[::1", "[nothost]:80", "user@host", "host/path"] {
            #expect(HostAuthority(bad) == nil, "\(bad)")
        }
    }

    @Test func onlyTheServersOwnOriginOrAnAllowedOnePasses() {
        let policy = BrowserPolicy(allowedOrigins: ["https://app.example.com/"], allowedHosts: [], bindHost: "127.0.0.1")
        #expect(policy.allowsOrigin(nil, host: "127.0.0.1:8080"))
        #expect(policy.allowsOrigin("http://127.0.0.1:8080", host: "127.0.0.1:8080"))
        #expect(policy.allowsOrigin("https://app.example.com", host: "127.0.0.1:8080"))
        #expect(!policy.allowsOrigin("http://localhost:3000", host: "127.0.0.1:8080"))
        #expect(!policy.allowsOrigin("https://evil.example", host: "127.0.0.1:8080"))
        #expect(!policy.allowsOrigin("null", host: "127.0.0.1:8080"))
        #expect(!policy.allowsOrigin("http://127.0.0.1:8081", host: "127.0.0.1:8080"))
        #expect(!policy.allowsOrigin("https://127.0.0.1:8080", host: "127.0.0.1:8080"))
        let behindTLS = BrowserPolicy(allowedOrigins: [], allowedHosts: ["ordinaut.example.com"], bindHost: "127.0.0.1", scheme: "https")
        #expect(behindTLS.allowsOrigin("https://ordinaut.example.com", host: "ordinaut.example.com"))
        #expect(!behindTLS.allowsOrigin("http://ordinaut.example.com", host: "ordinaut.example.com"))
        #expect(policy.isExplicitlyAllowed("https://APP.example.com"))
        #expect(!policy.isExplicitlyAllowed("https://app.example.com.evil.example"))
    }

    @Test func aLoopbackBindAnswersOnlyLoopbackAndListedHosts() {
        let local = BrowserPolicy(allowedOrigins: [], allowedHosts: ["ordinaut.internal"], bindHost: "127.0.0.1")
        #expect(local.allowsHost("127.0.0.1:8080"))
        #expect(local.allowsHost("localhost"))
        #expect(local.allowsHost("ordinaut.internal:8080"))
        #expect(!local.allowsHost("127.0.0.1.rebind.evil.example:8080"))
        #expect(!local.allowsHost(nil))
        let wide = BrowserPolicy(allowedOrigins: [], allowedHosts: [], bindHost: "0.0.0.0")
        #expect(wide.allowsHost("ordinaut.example.com"))
        #expect(!wide.allowsHost("bad host"))
    }

    @Test func jsonIsAnExactMediaType() {
        #expect(MediaType.isJSON("application/json"))
        #expect(MediaType.isJSON("Application/JSON; charset=utf-8"))
        #expect(MediaType.isJSON(" application/json ;charset=utf-8"))
        #expect(!MediaType.isJSON("application/jsonx"))
        #expect(!MediaType.isJSON("text/plain"))
        #expect(!MediaType.isJSON("application/x-www-form-urlencoded"))
        #expect(!MediaType.isJSON("application/json-patch+json"))
        #expect(MediaType.isJSON("\tapplication/json\t;"))
        #expect(!MediaType.isJSON(""))
        #expect(!MediaType.isJSON(" ; application/json"))
        #expect(!MediaType.isJSON("applicätion/json"))
        #expect(!MediaType.isJSON("application/json\u{0}"))
    }
}
