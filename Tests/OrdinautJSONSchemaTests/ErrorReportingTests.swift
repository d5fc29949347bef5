import OrdinautCore
import OrdinautJSONSchema
import Testing

@Suite("Validation errors name the keyword and the instance location")
struct ErrorReportingTests {
    @Test func namesKeywordAndPointer() throws {
        let schema = try JSONSchema([
            "type": "object",
            "properties": ["items": ["type": "array", "items": ["type": "integer", "minimum": 0]]],
            "required": ["items", "name"],
        ])
        let result = schema.validate(["items": [1, -2, "x"]])
        #expect(!result.isValid)
        let byKeyword = Dictionary(grouping: result.errors, by: \.keyword)
        #expect(byKeyword["minimum"]?.first?.instanceLocation.description == "/items/1")
        #expect(byKeyword["type"]?.first?.instanceLocation.description == "/items/2")
        #expect(byKeyword["required"]?.first?.message.contains("\"name\"") == true)
        #expect(byKeyword["minimum"]?.first?.keywordLocation == "#/properties/items/items/minimum")
    }

    @Test func aForbiddenPropertyIsNamedByTheKeywordThatForbidsIt() throws {
        let schema = try JSONSchema([
            "type": "object",
            "properties": ["a": ["type": "integer"], "nested": ["unevaluatedProperties": false, "properties": ["x": true]]],
            "additionalProperties": false,
        ])
        #expect(schema.isValid(["a": 1, "nested": ["x": 1]]))
        let result = schema.validate(["a": 1, "extra": true, "nested": ["x": 1, "y": 2]])
        #expect(!result.isValid && !schema.isValid(["extra": true]))
        #expect(result.errors.map(\.keyword).sorted() == ["additionalProperties", "unevaluatedProperties"])
        let additional = try #require(result.errors.first { $0.keyword == "additionalProperties" })
        #expect(additional.message.contains("\"extra\"") && additional.instanceLocation == .root)
        let unevaluated = try #require(result.errors.first { $0.keyword == "unevaluatedProperties" })
        #expect(unevaluated.message.contains("\"y\"") && unevaluated.instanceLocation.description == "/nested")
    }

    @Test func formatIsAnnotationUnlessAsserted() throws {
        let document: JSONValue = ["type": "string", "format": "date"]
        #expect(try JSONSchema(document).isValid("not a date"))
        let asserting = try JSONSchema(document, options: .init(assertFormats: true))
        #expect(!asserting.isValid("2024-02-30"))
        #expect(asserting.isValid("2024-02-29"))
    }

    @Test func unresolvableReferenceIsACompileError() {
        #expect(throws: SchemaError.self) { try JSONSchema(["$ref": "https://example.com/remote.json"]) }
        #expect(throws: SchemaError.self) { try JSONSchema(["type": 12]) }
        #expect(throws: SchemaError.self) { try JSONSchema(["pattern": "("]) }
    }

    @Test func recursiveSchemaTerminates() throws {
        let schema = try JSONSchema(["$ref": "#"])
        #expect(!schema.isValid(1))
    }
}
