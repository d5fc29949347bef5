import OrdinautCore

/// A lexical token of a JMESPath expression.
enum Token: Equatable {
    case unquotedIdentifier(String)
    case quotedIdentifier(String)
    case number(Int)
    case literal(JSONValue)
    case rawString(String)
    case dot, star, flatten, lbracket, filter, rbracket, lbrace, rbrace, lparen, rparen, comma, colon
    case pipe, or, and, not, ampersand, current
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    case end

    /// How tightly the token binds as an infix operator.
    var bindingPower: Int {
        switch self {
        case .pipe: return 1
        case .or: return 2
        case .and: return 3
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return 5
        case .flatten: return 9
        case .star: return 20
        case .filter: return 21
        case .dot: return 40
        case .not: return 45
        case .lbrace: return 50
        case .lbracket: return 55
        case .lparen: return 60
        default: return 0
        }
    }
}

/// A token and where it starts.
struct Lexeme {
    let token: Token
    let offset: Int
}
