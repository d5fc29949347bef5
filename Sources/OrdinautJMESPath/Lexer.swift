import OrdinautCore

/// Splits an expression into tokens.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ expression: String) {
        scalars = Array(expression.unicodeScalars)
    }

    static func tokenize(_ expression: String) throws(JMESPathError) -> [Lexeme] {
        var lexer = Lexer(expression)
        var tokens: [Lexeme] = []
        while true {
            let lexeme = try lexer.next()
            tokens.append(lexeme)
            if lexeme.token == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9")
    }

    private mutating func next() throws(JMESPathError) -> Lexeme {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1 }
        let start = position
        guard let c = peek() else { return Lexeme(token: .end, offset: start) }
        func single(_ token: Token) -> Lexeme {
            position += 1
            return Lexeme(token: token, offset: start)
        }
        func pair(_ second: Unicode.Scalar, _ both: Token, _ alone: Token?) throws(JMESPathError) -> Lexeme {
            if peek(1) == second {
                position += 2
                return Lexeme(token: both, offset: start)
            }
            guard let alone else { throw JMESPathError(.syntax, "unexpected character \"\(c)\"", offset: start) }
            return single(alone)
        }
        switch c {
        case ".": return single(.dot)
        case "*": return single(.star)
        case "]": return single(.rbracket)
        case "{": return single(.lbrace)
        case "}": return single(.rbrace)
        case "(": return single(.lparen)
        case ")": return single(.rparen)
        case ",": return single(.comma)
        case ":": return single(.colon)
        case "@": return single(.current)
        case "[":
            if peek(1) == "]" { position += 2; return Lexeme(token: .flatten, offset: start) }
            if peek(1) == "?" { position += 2; return Lexeme(token: .filter, offset: start) }
            return single(.lbracket)
        case "|": return try pair("|", .or, .pipe)
        case "&": return try pair("&", .and, .ampersand)
        case "!": return try pair("=", .notEqual, .not)
        case "<": return try pair("=", .lessOrEqual, .less)
        case ">": return try pair("=", .greaterOrEqual, .greater)
        case "=": return try pair("=", .equal, nil)
        case "'": return Lexeme(token: .rawString(try readRawString()), offset: start)
        case "`": return Lexeme(token: .literal(try readLiteral()), offset: start)
        case "\"": return Lexeme(token: .quotedIdentifier(try readQuotedIdentifier()), offset: start)
        case "-", "0"..."9": return Lexeme(token: .number(try readNumber()), offset: start)
        default:
            guard Self.isIdentifierStart(c) else { throw JMESPathError(.syntax, "unexpected character \"\(c)\"", offset: start) }
            var text = String.UnicodeScalarView()
            while let d = peek(), Self.isIdentifierPart(d) {
                text.append(d)
                position += 1
            }
            return Lexeme(token: .unquotedIdentifier(String(text)), offset: start)
        }
    }

    private mutating func readNumber() throws(JMESPathError) -> Int {
        let start = position
        var text = ""
        if peek() == "-" {
            text.append("-")
            position += 1
        }
        while let d = peek(), d >= "0" && d <= "9" {
            text.unicodeScalars.append(d)
            position += 1
        }
        guard let value = Int(text) else { throw JMESPathError(.syntax, "invalid number \"\(text)\"", offset: start) }
        return value
    }

    /// Reads up to the closing `delimiter`, honouring backslash escapes of it; returns the raw text.
    private mutating func readDelimited(_ delimiter: Unicode.Scalar) throws(JMESPathError) -> String {
        let start = position
        position += 1
        var text = String.UnicodeScalarView()
        while let c = peek() {
            if c == "\\", let escaped = peek(1) {
                text.append(c)
                text.append(escaped)
                position += 2
                continue
            }
            if c == delimiter {
                position += 1
                return String(text)
            }
            text.append(c)
            position += 1
        }
        throw JMESPathError(.syntax, "unterminated \(delimiter == "`" ? "literal" : delimiter == "'" ? "raw string" : "quoted identifier")", offset: start)
    }

    private mutating func readRawString() throws(JMESPathError) -> String {
        // Only \' is an escape in a raw string; every other backslash stays.
        try readDelimited("'").replacing("\\'", with: "'")
    }

    private mutating func readLiteral() throws(JMESPathError) -> JSONValue {
        let start = position
        let body = try readDelimited("`").replacing("\\`", with: "`")
        do {
            return try JSONParser().parse(body.trimmingLeadingAndTrailingSpaces())
        } catch {
            throw JMESPathError(.syntax, "invalid JSON literal `\(body)`: \(error)", offset: start)
        }
    }

    private mutating func readQuotedIdentifier() throws(JMESPathError) -> String {
        let start = position
        let body = try readDelimited("\"")
        guard let value = try? JSONParser().parse("\"" + body + "\""), let text = value.stringValue else {
            throw JMESPathError(.syntax, "invalid quoted identifier \"\(body)\"", offset: start)
        }
        return text
    }
}

extension String {
    func trimmingLeadingAndTrailingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !" \t\n\r".unicodeScalars.contains($0) }),
              let last = scalars.lastIndex(where: { !" \t\n\r".unicodeScalars.contains($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
