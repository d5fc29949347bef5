import OrdinautAuth
import Testing

@Suite("OAuthURL: https, or http on a host that parses as loopback")
struct OAuthURLTests {
    @Test("loopback hosts", arguments: [
        ("localhost", true), ("127.0.0.1", true), ("127.255.3.4", true), ("::1", true), ("0:0:0:0:0:0:0:1", true),
        ("0::1", true), ("127.0.0.1.evil.example", false), ("127.0.0.1evil", false), ("evil-127.0.0.1", false),
        ("localhost.evil.example", false), ("128.0.0.1", false), ("0127.0.0.1", false), ("127.0.0", false),
        ("127.0.0.256", false), ("::2", false), ("::ffff:127.0.0.1", false), (":::1", false), ("", false),
    ])
    func loopback(_ example: (String, Bool)) {
        #expect(OAuthURL.isLoopbackHost(example.0) == example.1)
    }

    @Test("accepts https anywhere and http on loopback only", arguments: [
        ("https://auth.example.com", true), ("https://auth.example.com:8443/realms/ops", true),
        ("http://127.0.0.1:9000", true), ("http://localhost/issuer", true), ("http://[::1]:8080/", true),
        ("HTTP://LOCALHOST:1", true), ("http://auth.example.com", false), ("http://127.0.0.1.evil.example", false),
        ("http://127.0.0.1@evil.example/", false), ("http://evil.example#@127.0.0.1", false), ("ftp://127.0.0.1", false),
        ("auth.example.com", false), ("https://", false), ("https://auth.example.com:0", false),
        ("https://auth.example.com:99999", false), ("https://user:pw@auth.example.com", false),
        ("https://auth example.com", false), ("https://auth.example.com/a b", false),
    ])
    func schemes(_ example: (String, Bool)) {
        let parsed = try? OAuthURL(parsing: example.0, setting: "test")
        #expect((parsed != nil) == example.1, "\(example.0)")
    }

    @Test("parts")
    func parts() throws {
        let url = try OAuthURL(parsing: "https://Auth.Example.com:8443/realms/ops?x=1", setting: "test")
        #expect(url.host == "auth.example.com" && url.port == 8443 && url.path == "/realms/ops" && url.query == "x=1")
        #expect(url.origin == "https://Auth.Example.com:8443")
        let v6 = try OAuthURL(parsing: "http://[::1]:8080/x", setting: "test")
        #expect(v6.host == "::1" && v6.port == 8080 && v6.isLoopback)
    }

    @Test("a problem names the setting and says what to use")
    func problemText() {
        do {
            _ = try OAuthURL(parsing: "http://auth.example.com", setting: "OAuth issuer")
            Issue.record("plain http on a public host must be refused")
        } catch {
            #expect(error.description.contains("OAuth issuer=http://auth.example.com"))
            #expect(error.description.contains("use https"))
        }
    }
}
