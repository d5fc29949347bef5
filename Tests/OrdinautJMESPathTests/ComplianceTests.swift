import Foundation
import OrdinautCore
import OrdinautJMESPath
import Testing

/// The official JMESPath compliance suite, read from `../shared/test-suites/jmespath/tests`.
enum Compliance {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/test-suites/jmespath/tests")

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }
}

@Suite("JMESPath compliance suite", .enabled(if: Compliance.isPresent, "../shared/test-suites/jmespath is absent; the compliance suite cannot run"))
struct ComplianceTests {
    @Test("every case of every file passes", arguments: Compliance.files)
    func file(_ name: String) throws {
        let groups = try JSONParser().parse(Data(contentsOf: Compliance.root.appendingPathComponent(name))).arrayValue ?? []
        var failures: [String] = []
        var cases = 0
        for group in groups {
            let given = group["given"] ?? .null
            for testCase in group["cases"]?.arrayValue ?? [] {
                cases += 1
                let expression = testCase["expression"]?.stringValue ?? ""
                do {
                    let compiled = try JMESPathExpression(expression)
                    let result = try compiled.search(given)
                    if let error = testCase["error"]?.stringValue {
                        failures.append("\(expression): expected \(error) error, got \(result)")
                    } else if let expected = testCase["result"], expected != result {
                        failures.append("\(expression): expected \(expected), got \(result)")
                    }
                } catch {
                    if let expected = testCase["error"]?.stringValue {
                        if expected != error.kind.rawValue { failures.append("\(expression): expected \(expected) error, got \(error)") }
                    } else if testCase["bench"] == nil || testCase["result"] != nil {
                        failures.append("\(expression): unexpected \(error)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases) cases failed:\n\(failures.prefix(40).joined(separator: "\n"))")
        #expect(cases > 0)
    }
}

@Suite("JMESPath behaviour beyond the suite")
struct JMESPathBehaviourTests {
    @Test func truthinessCountsZeroAsTrue() {
        #expect(JMESPathExpression.isTruthy(0))
        #expect(!JMESPathExpression.isTruthy([]))
        #expect(!JMESPathExpression.isTruthy(""))
        #expect(!JMESPathExpression.isTruthy([:]))
        #expect(!JMESPathExpression.isTruthy(.null))
    }

    @Test func cachedExpressionsAreReused() throws {
        let a = try JMESPathExpression.cached("steps.x.items[?score > `3`].name")
        let data: JSONValue = ["steps": ["x": ["items": [["score": 5, "name": "a"], ["score": 1, "name": "b"]]]]]
        #expect(try a.search(data) == ["a"])
        #expect(try JMESPathExpression.cached("steps.x.items[?score > `3`].name").source == a.source)
    }

    @Test func rootFieldsListWhatAnExpressionReads() throws {
        #expect(try JMESPathExpression("params.name").rootFields == ["params"])
        #expect(try JMESPathExpression("join(', ', [params.a, steps.b.c])").rootFields == ["params", "steps"])
    }

    @Test func arbitraryStringsNeverCrashOrHang() {
        let alphabet = Array("abc.*[]?{}()|&!=<>@`'\"0123456789-:, \\")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0..<24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if let compiled = try? JMESPathExpression(text) {
                _ = try? compiled.search(["a": [1, 2, ["b": "c"]], "c": "x"])
            }
        }
        #expect(throws: JMESPathError.self) { try JMESPathExpression(String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)) }
        #expect(throws: JMESPathError.self) { try JMESPathExpression(String(repeating: "!", count: 10_000) + "a") }
    }
}
