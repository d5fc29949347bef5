/// Walks template text as JMESPath sees it: quoted parts (`'…'`, `"…"`, `` `…` ``, with backslash
/// escapes) are skipped, and every other character is shown with its bracket nesting depth (the
/// depth before that character opens or closes a bracket). `visit` returns `false` to stop.
enum ExpressionScanner {
    static func scan(_ text: Substring, _ visit: (Substring.Index, Character, Int) -> Bool) {
        var depth = 0
        var quote: Character? = nil
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == "\\" {
                    index = text.index(after: index)
                    if index < text.endIndex { index = text.index(after: index) }
                    continue
                }
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" || character == "`" {
                quote = character
            } else {
                guard visit(index, character, depth) else { return }
                if character == "(" || character == "[" || character == "{" {
                    depth += 1
                } else if character == ")" || character == "]" || character == "}" {
                    depth -= 1
                }
            }
            index = text.index(after: index)
        }
    }
}
