import OrdinautMCP
import Testing

@Suite("Unambiguous tool names")
struct UnambiguousToolNameTests {
    @Test func wireNamesCannotCollide() {
        // Extension `a` with tool `b__c` and extension `a__b` with tool `c` would both be ext__a__b__c.
        #expect(ToolName.problem(with: "ext.a.b__c") != nil)
        #expect(ToolName.problem(with: "ext.a__b.c") != nil)
        // Likewise `a_` + `_b` and `a` + `__b` against `a___b`.
        #expect(ToolName.problem(with: "ext.a_._b") != nil)
        #expect(ToolName.problem(with: "ext.a_.b") != nil)
        #expect(ToolName.problem(with: "ext._a.b") != nil)
        #expect(ToolName.problem(with: "ext.events_demo.read") == nil)
        #expect(ToolName.problem(with: "task_create") == nil)
        #expect(ToolName.wireName(for: "ext.events_demo.read") == "ext__events_demo__read")
    }

    @Test func theRegistryRefusesAnAmbiguousName() throws {
        let server = MCPServer()
        try server.tools.register(Tool(name: "ext.a.b_c") { _, _ in .text("") })
        #expect(throws: RegistrationError.self) { try server.tools.register(Tool(name: "ext.a.b__c") { _, _ in .text("") }) }
        #expect(throws: RegistrationError.self) { try server.tools.register(Tool(name: "ext.a__b.c") { _, _ in .text("") }) }
    }
}
