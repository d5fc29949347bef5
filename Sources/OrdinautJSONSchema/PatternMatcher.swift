/// An ECMA-262-style regular expression as JSON Schema's `pattern` and `patternProperties` use it:
/// unanchored search, `\d` and `\w` ASCII-only.
struct PatternMatcher: @unchecked Sendable {
    let source: String
    private let regex: Regex<AnyRegexOutput>

    init?(_ source: String) {
        guard let compiled = try? Regex(source) else { return nil }
        self.source = source
        regex = compiled.asciiOnlyDigits().asciiOnlyWordCharacters()
    }

    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}
