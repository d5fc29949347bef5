import OrdinautCore

/// A top-down operator-precedence (Pratt) parser for the JMESPath grammar.
struct Parser {
    private let tokens: [Lexeme]
    private var position = 0
    private var depth = 0
    /// Deeper nesting than this is refused rather than risking the stack.
    static let maximumDepth = 200

    init(tokens: [Lexeme]) {
        self.tokens = tokens
    }

    static func parse(_ expression: String) throws(JMESPathError) -> Node {
        var parser = Parser(tokens: try Lexer.tokenize(expression))
        let node = try parser.expression(0)
        guard parser.current == .end else { throw parser.unexpected() }
        return node
    }

    private var current: Token { tokens[position].token }
    private var offset: Int { tokens[position].offset }

    private func lookahead(_ n: Int) -> Token {
        position + n < tokens.count ? tokens[position + n].token : .end
    }

    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    private func unexpected() -> JMESPathError {
        current == .end
            ? JMESPathError(.syntax, "unexpected end of expression", offset: offset)
            : JMESPathError(.syntax, "unexpected token \(current)", offset: offset)
    }

    private mutating func expect(_ token: Token) throws(JMESPathError) {
        guard current == token else { throw unexpected() }
        advance()
    }

    mutating func expression(_ bindingPower: Int) throws(JMESPathError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw JMESPathError(.syntax, "expression nested too deeply", offset: offset) }
        let token = current
        let tokenOffset = offset
        advance()
        var left = try nud(token, at: tokenOffset)
        while bindingPower < current.bindingPower {
            let operatorToken = current
            advance()
            left = try led(operatorToken, left)
        }
        return left
    }

    private mutating func nud(_ token: Token, at tokenOffset: Int) throws(JMESPathError) -> Node {
        switch token {
        case .literal(let value): return .literal(value)
        case .rawString(let text): return .literal(.string(text))
        case .unquotedIdentifier(let name): return .field(name)
        case .quotedIdentifier(let name):
            if current == .lparen { throw JMESPathError(.syntax, "a quoted identifier cannot name a function", offset: offset) }
            return .field(name)
        case .star:
            return .valueProjection(.identity, try projectionRHS(Token.star.bindingPower))
        case .filter:
            return try filter(.identity)
        case .lbrace:
            return try multiSelectHash()
        case .lparen:
            let inner = try expression(0)
            try expect(.rparen)
            return inner
        case .flatten:
            return .projection(.flatten(.identity), try projectionRHS(Token.flatten.bindingPower))
        case .not:
            return .not(try expression(Token.not.bindingPower))
        case .lbracket:
            switch current {
            case .number, .colon:
                return try projectIfSlice(.identity, try indexExpression())
            case .star where lookahead(1) == .rbracket:
                advance()
                advance()
                return .projection(.identity, try projectionRHS(Token.star.bindingPower))
            default:
                return try multiSelectList()
            }
        case .current:
            return .current
        case .ampersand:
            return .expressionReference(try expression(0))
        case .end:
            throw JMESPathError(.syntax, "unexpected end of expression", offset: tokenOffset)
        default:
            throw JMESPathError(.syntax, "unexpected token \(token)", offset: tokenOffset)
        }
    }

    private mutating func led(_ token: Token, _ left: Node) throws(JMESPathError) -> Node {
        switch token {
        case .dot:
            if current == .star {
                advance()
                return .valueProjection(left, try projectionRHS(Token.dot.bindingPower))
            }
            return .subexpression(left, try dotRHS(Token.dot.bindingPower))
        case .pipe: return .pipe(left, try expression(Token.pipe.bindingPower))
        case .or: return .or(left, try expression(Token.or.bindingPower))
        case .and: return .and(left, try expression(Token.and.bindingPower))
        case .lparen:
            guard case .field(let name) = left else { throw JMESPathError(.syntax, "only a plain name can be called", offset: offset) }
            var arguments: [Node] = []
            while current != .rparen {
                arguments.append(try expression(0))
                if current == .comma {
                    advance()
                    if current == .rparen { throw unexpected() }
                } else if current != .rparen {
                    throw unexpected()
                }
            }
            advance()
            return .function(name, arguments)
        case .filter: return try filter(left)
        case .flatten: return .projection(.flatten(left), try projectionRHS(Token.flatten.bindingPower))
        case .equal: return .comparator(.equal, left, try expression(token.bindingPower))
        case .notEqual: return .comparator(.notEqual, left, try expression(token.bindingPower))
        case .less: return .comparator(.less, left, try expression(token.bindingPower))
        case .lessOrEqual: return .comparator(.lessOrEqual, left, try expression(token.bindingPower))
        case .greater: return .comparator(.greater, left, try expression(token.bindingPower))
        case .greaterOrEqual: return .comparator(.greaterOrEqual, left, try expression(token.bindingPower))
        case .lbracket:
            switch current {
            case .number, .colon:
                return try projectIfSlice(left, try indexExpression())
            case .star where lookahead(1) == .rbracket:
                advance()
                advance()
                return .projection(left, try projectionRHS(Token.star.bindingPower))
            default:
                throw unexpected()
            }
        default:
            throw unexpected()
        }
    }

    /// After `[`: an index `[n]` or a slice `[a:b:c]`.
    private mutating func indexExpression() throws(JMESPathError) -> Node {
        if case .number(let value) = current, lookahead(1) == .rbracket {
            advance()
            advance()
            return .index(value)
        }
        var parts: [Int?] = [nil, nil, nil]
        var part = 0
        while current != .rbracket {
            switch current {
            case .colon:
                part += 1
                if part > 2 { throw unexpected() }
                advance()
            case .number(let value):
                if parts[part] != nil { throw unexpected() }
                parts[part] = value
                advance()
            default:
                throw unexpected()
            }
        }
        advance()
        if parts[2] == 0 { throw JMESPathError(.invalidValue, "a slice step cannot be 0") }
        return .slice(start: parts[0], stop: parts[1], step: parts[2])
    }

    private mutating func projectIfSlice(_ left: Node, _ right: Node) throws(JMESPathError) -> Node {
        let indexed = Node.indexExpression(left, right)
        if case .slice = right { return .projection(indexed, try projectionRHS(Token.star.bindingPower)) }
        return indexed
    }

    private mutating func projectionRHS(_ bindingPower: Int) throws(JMESPathError) -> Node {
        if current.bindingPower < 10 { return .identity }
        switch current {
        case .lbracket, .filter: return try expression(bindingPower)
        case .dot:
            advance()
            return try dotRHS(bindingPower)
        default: throw unexpected()
        }
    }

    private mutating func dotRHS(_ bindingPower: Int) throws(JMESPathError) -> Node {
        switch current {
        case .unquotedIdentifier, .quotedIdentifier, .star:
            return try expression(bindingPower)
        case .lbracket:
            advance()
            return try multiSelectList()
        case .lbrace:
            advance()
            return try multiSelectHash()
        default:
            throw unexpected()
        }
    }

    private mutating func filter(_ left: Node) throws(JMESPathError) -> Node {
        let condition = try expression(0)
        try expect(.rbracket)
        let right = current == .flatten ? Node.identity : try projectionRHS(Token.filter.bindingPower)
        return .filterProjection(left, right, condition: condition)
    }

    private mutating func multiSelectList() throws(JMESPathError) -> Node {
        var elements: [Node] = []
        while true {
            elements.append(try expression(0))
            if current == .rbracket { break }
            try expect(.comma)
        }
        advance()
        return .multiSelectList(elements)
    }

    private mutating func multiSelectHash() throws(JMESPathError) -> Node {
        var pairs: [(String, Node)] = []
        while true {
            let key: String
            switch current {
            case .unquotedIdentifier(let name), .quotedIdentifier(let name): key = name
            default: throw unexpected()
            }
            advance()
            try expect(.colon)
            pairs.append((key, try expression(0)))
            if current == .rbrace { break }
            try expect(.comma)
        }
        advance()
        return .multiSelectHash(pairs)
    }
}
