import OrdinautCore
import OrdinautPipeline
import Testing

@Suite("Templates")
struct TemplateTests {
    static let context: JSONValue = [
        "params": ["name": "John", "age": 30, "flag": true, "tags": ["a", "b"], "nested": ["k": 1], "nothing": nil,
                   "list": [["t": "x"], ["t": "y"]]],
        "steps": ["weather": ["temp": 25, "units": "C"]],
        "now": "2025-01-01T09:00:00Z",
    ]

    func render(_ value: JSONValue) throws -> JSONValue {
        try Template.render(value, context: Self.context)
    }

    @Test func referenceExamples() throws {
        #expect(try render("Hello ${params.name}") == "Hello John")
        #expect(try render("${steps.weather.temp}°${steps.weather.units}") == "25°C")
        #expect(try render("${ params.name }") == "John")
        #expect(try render("${params.list[-1].t}") == "y")
        #expect(try render("${length(params.tags)}") == 2)
        #expect(try render("${params.list[*].t}") == ["x", "y"])
    }

    @Test func wholeValuesKeepTheirType() throws {
        guard case .integer(30) = try render("${params.age}") else { Issue.record("age is not the integer 30"); return }
        #expect(try render("${params.nested}") == ["k": 1])
        #expect(try render("${params.flag}") == true)
        #expect(try render("${params.nothing}") == .null)
        #expect(try render("age ${params.age}, tags ${params.tags}") == #"age 30, tags ["a","b"]"#)
    }

    @Test func nestedValuesRenderInPlaceAndSubstitutionsAreFinal() throws {
        let rendered = try render(["greeting": "Hi ${params.name}", "list": ["${params.age}", 7, ["deep": "${params.tags[0]}"]], "${params.name}": "key"])
        #expect(rendered == ["greeting": "Hi John", "list": [30, 7, ["deep": "a"]], "${params.name}": "key"])
        let tricky: JSONValue = ["params": ["a": "${params.b}", "b": "boom"]]
        #expect(try Template.render("${params.a}", context: tricky) == "${params.b}")
        let long = "ünïcödé ${params.name} 🎉 " + String(repeating: "x", count: 5000)
        #expect(try render(.string(long)).stringValue == "ünïcödé John 🎉 " + String(repeating: "x", count: 5000))
    }

    @Test func literalsAndEscapes() throws {
        #expect(try render("${}") == "${}")
        #expect(try render("${params.name") == "${params.name")
        #expect(try render("cost: $${params.age}") == "cost: ${params.age}")
        #expect(try render("$5 and ${params.age}") == "$5 and 30")
        #expect(try render("${ {n: params.name, a: params.age} }") == ["n": "John", "a": 30])
    }

    @Test func errorsNameTheExpression() {
        do {
            _ = try Template("${params.[bad}")
            Issue.record("a bad expression compiled")
        } catch {
            #expect(error.description.contains("params.[bad"))
        }
        do {
            _ = try Template.render("missing: ${params.nothing}", context: Self.context)
            Issue.record("null inside text rendered")
        } catch {
            #expect(error.description.contains("params.nothing"))
        }
    }

    @Test func timeArithmetic() throws {
        #expect(try render("${now+24h}") == "2025-01-02T09:00:00Z")
        #expect(try render("${now - 30m}") == "2025-01-01T08:30:00Z")
        #expect(try render("${now + PT24H}") == "2025-01-02T09:00:00Z")
        #expect(try render("${now + P1DT2H}") == "2025-01-02T11:00:00Z")
        #expect(try render("${now + 1d12h}") == "2025-01-02T21:00:00Z")
        #expect(try render("${now @ Europe/Chisinau}") == "2025-01-01T11:00:00+02:00")
        #expect(try render("${now + 1w @ America/New_York}") == "2025-01-08T04:00:00-05:00")
        #expect(throws: TemplateError.self) { try render("${params.name + 1h}") }
        #expect(throws: TemplateError.self) { try Template("${now @ Nowhere/Land}") }
    }

    @Test func variablesAreListedBeforeARun() throws {
        let template = try Template(["a": "${params.x}", "b": ["${steps.fetch.body} and ${now+1h}"], "c": "${length(event.items)}"])
        #expect(template.variables == ["params", "steps", "now", "event"])
    }

    @Test func conditionsUsePipelineTruthiness() throws {
        for (expression, expected) in [("params.flag", true), ("params.nothing", false), ("`0`", false), ("`1`", true),
                                       ("params.tags", true), ("`[]`", false), ("`{}`", false), ("''", false),
                                       ("${params.age > `18`}", true)] {
            #expect(try StepCondition(expression).holds(in: Self.context) == expected, "\(expression)")
        }
        #expect(throws: TemplateError.self) { try StepCondition("params.[") }
        #expect(throws: TemplateError.self) { try StepCondition("") }
    }

    @Test func arbitraryTemplatesNeverCrash() {
        let alphabet = Array("${}[]().'\"`@+-hd 1params.nowx|&")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let text = String((0..<Int.random(in: 0..<24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            _ = try? Template.render(.string(text), context: Self.context)
        }
    }
}
