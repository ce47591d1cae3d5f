/// One lexical unit of an expression, with where it starts in the source (a UTF-8 offset).
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case integer(Int)
        case decimal(Double)
        case string(String)
        case name(String)
        case trueKeyword, falseKeyword, undefinedKeyword, inKeyword
        case leftParen, rightParen, leftBracket, rightBracket, comma, dot
        case not, and, or
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
        case plus, minus, times, divide, remainder
        case end
    }

    var kind: Kind
    var offset: Int

    /// How the token reads in a "found ..." message.
    var display: String {
        switch kind {
        case .integer(let i): return "number \(i)"
        case .decimal(let d): return "number \(d)"
        case .string: return "a string"
        case .name(let n): return "'\(n)'"
        case .trueKeyword: return "'true'"
        case .falseKeyword: return "'false'"
        case .undefinedKeyword: return "'undefined'"
        case .inKeyword: return "'in'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .not: return "'!'"
        case .and: return "'&&'"
        case .or: return "'||'"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .less: return "'<'"
        case .lessOrEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterOrEqual: return "'>='"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .times: return "'*'"
        case .divide: return "'/'"
        case .remainder: return "'%'"
        case .end: return "the end of the expression"
        }
    }
}
