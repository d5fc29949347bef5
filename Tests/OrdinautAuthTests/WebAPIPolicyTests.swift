import OrdinautAuth
import Testing

@Suite("Access policy of the web UI's API")
struct WebAPIPolicyTests {
    private func requirement(_ method: String, _ path: String) -> AccessPolicy.Requirement {
        AccessPolicy.requirement(method: method, path: Substring(path))
    }

    @Test func readsAndChecksThatCreateNothingNeedTasksRead() {
        #expect(requirement("GET", "/stats") == .scope("tasks:read"))
        #expect(requirement("GET", "/changes") == .scope("tasks:read"))
        #expect(requirement("POST", "/schedules/preview") == .scope("tasks:read"))
        #expect(requirement("POST", "/tasks/validate") == .scope("tasks:read"))
        // Creating still needs the write scope, and an action on a task called "validate" too.
        #expect(requirement("POST", "/tasks") == .scope("tasks:write"))
        #expect(requirement("POST", "/tasks/validate/pause") == .scope("tasks:write"))
    }

    @Test func theContractAndTheRootAreOpenAndStaticFilesNeedTheRouteScope() {
        #expect(requirement("GET", "/openapi.json") == .open)
        #expect(requirement("GET", "/") == .open)
        #expect(requirement("GET", "/ext/site/static/app.js") == .scope("ext:site:routes"))
    }
}
