/// Turns expression text into a checked, constant-folded `Program` by recursive descent.
///
/// Nesting is limited twice: the parser's own recursion (parentheses, lists, calls, unary operators) and the depth
/// of the resulting tree, so neither parsing nor evaluation can exhaust the stack.
struct Parser {
    private let source: String
    private let tokens: [Token]
    private var index = 0
    private var nesting = 0
    private var program = Program()
    /// Height of each node's subtree, parallel to `program.nodes`.
    private var heights: [Int] = []
    private var pathIndexes: [String: Int32] = [:]

    /// Parses and checks `source`.
    static func compile(_ source: String) throws(ExpressionError) -> Program {
        guard source.utf8.count <= MatchExpression.maximumLength else {
            throw ExpressionError(.tooLong, "the expression is \(source.utf8.count) bytes long; the limit is "
                + "\(MatchExpression.maximumLength)", source: source, offset: MatchExpression.maximumLength)
        }
        var lexer = Lexer(source)
        let tokens = try lexer.tokenize()
        var parser = Parser(source: source, tokens: tokens)
        return try parser.parseAll()
    }

    private init(source: String, tokens: [Token]) {
        self.source = source
        self.tokens = tokens
    }

    private var current: Token { tokens[min(index, tokens.count - 1)] }

    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func syntax(_ message: String, at token: Token) -> ExpressionError {
        ExpressionError(.syntax, message, source: source, offset: token.offset)
    }

    private mutating func parseAll() throws(ExpressionError) -> Program {
        if current.kind == .end { throw syntax("the expression is empty", at: current) }
        let root = try parseOr()
        guard current.kind == .end else {
            throw syntax("expected an operator or the end of the expression, found \(current.display)", at: current)
        }
        program.root = root
        return program.compacted()
    }

    // MARK: - Grammar

    private mutating func parseOr() throws(ExpressionError) -> Int32 {
        let offset = current.offset
        var terms = [try parseAnd()]
        while current.kind == .or {
            advance()
            terms.append(try parseAnd())
        }
        guard terms.count > 1 else { return terms[0] }
        let start = Int32(program.operands.count)
        program.operands += terms
        return try add(.or(start: start, count: Int32(terms.count)), children: terms, offset: offset)
    }

    private mutating func parseAnd() throws(ExpressionError) -> Int32 {
        let offset = current.offset
        var terms = [try parseComparison()]
        while current.kind == .and {
            advance()
            terms.append(try parseComparison())
        }
        guard terms.count > 1 else { return terms[0] }
        let start = Int32(program.operands.count)
        program.operands += terms
        return try add(.and(start: start, count: Int32(terms.count)), children: terms, offset: offset)
    }

    private mutating func parseComparison() throws(ExpressionError) -> Int32 {
        let left = try parseAdditive()
        guard let op = comparison(current.kind) else { return left }
        let opToken = current
        advance()
        let right = try parseAdditive()
        if comparison(current.kind) != nil {
            throw syntax("comparisons cannot be chained; join them with '&&'", at: current)
        }
        let node: Program.Node
        switch op {
        case .some(let op): node = .comparison(op, left, right)
        case .none: node = .membership(left, right)
        }
        return try add(node, children: [left, right], offset: opToken.offset)
    }

    /// The comparison a token stands for: `.some(op)`, or `.some(nil)` for `in`; nil when it is none.
    private func comparison(_ kind: Token.Kind) -> ComparisonOperator?? {
        switch kind {
        case .equal: return .some(.equal)
        case .notEqual: return .some(.notEqual)
        case .less: return .some(.less)
        case .lessOrEqual: return .some(.lessOrEqual)
        case .greater: return .some(.greater)
        case .greaterOrEqual: return .some(.greaterOrEqual)
        case .inKeyword: return .some(nil)
        default: return nil
        }
    }

    private mutating func parseAdditive() throws(ExpressionError) -> Int32 {
        var left = try parseMultiplicative()
        while true {
            let op: ArithmeticOperator
            switch current.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return left
            }
            let opToken = current
            advance()
            let right = try parseMultiplicative()
            left = try add(.arithmetic(op, left, right), children: [left, right], offset: opToken.offset)
        }
    }

    private mutating func parseMultiplicative() throws(ExpressionError) -> Int32 {
        var left = try parseUnary()
        while true {
            let op: ArithmeticOperator
            switch current.kind {
            case .times: op = .multiply
            case .divide: op = .divide
            case .remainder: op = .remainder
            default: return left
            }
            let opToken = current
            advance()
            let right = try parseUnary()
            left = try add(.arithmetic(op, left, right), children: [left, right], offset: opToken.offset)
        }
    }

    private mutating func parseUnary() throws(ExpressionError) -> Int32 {
        let token = current
        guard token.kind == .not || token.kind == .minus else { return try parsePrimary() }
        advance()
        try enter(at: token)
        let operand = try parseUnary()
        nesting -= 1
        let node: Program.Node = token.kind == .not ? .not(operand) : .negate(operand)
        return try add(node, children: [operand], offset: token.offset)
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Int32 {
        let token = current
        switch token.kind {
        case .integer(let i):
            advance()
            return try add(.constant(.int(i)), children: [], offset: token.offset)
        case .decimal(let d):
            advance()
            return try add(.constant(.decimal(d)), children: [], offset: token.offset)
        case .string(let s):
            advance()
            return try add(.constant(.string(s)), children: [], offset: token.offset)
        case .trueKeyword, .falseKeyword:
            advance()
            return try add(.constant(.bool(token.kind == .trueKeyword)), children: [], offset: token.offset)
        case .undefinedKeyword:
            advance()
            return try add(.constant(.undefined), children: [], offset: token.offset)
        case .leftParen:
            advance()
            try enter(at: token)
            let inner = try parseOr()
            guard current.kind == .rightParen else {
                throw syntax("expected ')' to close the '(' at column \(column(of: token)), found \(current.display)",
                             at: current)
            }
            advance()
            nesting -= 1
            return inner
        case .leftBracket:
            return try parseList()
        case .name(let name):
            advance()
            if current.kind == .leftParen { return try parseCall(name, at: token) }
            return try parsePath(startingWith: name, at: token)
        default:
            throw syntax("expected an expression, found \(token.display)", at: token)
        }
    }

    private mutating func parseList() throws(ExpressionError) -> Int32 {
        let open = current
        advance()
        try enter(at: open)
        var items: [Int32] = []
        while current.kind != .rightBracket {
            items.append(try parseOr())
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightBracket {
                throw syntax("expected ']' after list elements, found \(current.display)", at: current)
            }
        }
        advance()
        nesting -= 1
        let start = Int32(program.operands.count)
        program.operands += items
        return try add(.list(start: start, count: Int32(items.count)), children: items, offset: open.offset)
    }

    private mutating func parsePath(startingWith first: String, at token: Token) throws(ExpressionError) -> Int32 {
        var path = first
        while current.kind == .dot {
            advance()
            guard case .name(let segment) = current.kind else {
                throw syntax("expected an attribute name after '.', found \(current.display)", at: current)
            }
            path += "." + segment
            advance()
        }
        if current.kind == .leftParen {
            throw syntax("only functions can be called; '\(path)' is not a function", at: current)
        }
        return try add(.attribute(pathIndex(path)), children: [], offset: token.offset)
    }

    private mutating func parseCall(_ name: String, at token: Token) throws(ExpressionError) -> Int32 {
        guard let function = Function(rawValue: name) else {
            throw ExpressionError(.unknownFunction, "unknown function '\(name)'; the functions are "
                + Function.namesList, source: source, offset: token.offset)
        }
        let open = current
        advance()
        try enter(at: open)
        defer { nesting -= 1 }
        if function == .has {
            guard case .name(let first) = current.kind else {
                throw ExpressionError(.badArguments, "has() takes an attribute path, such as has(labels.gpu)",
                                      source: source, offset: current.offset)
            }
            let pathToken = current
            advance()
            let pathNode = try parsePath(startingWith: first, at: pathToken)
            guard current.kind == .rightParen else {
                throw syntax("expected ')' after argument list, found \(current.display)", at: current)
            }
            advance()
            guard case .attribute(let path) = program.nodes[Int(pathNode)] else {
                throw syntax("has() takes an attribute path, such as has(labels.gpu)", at: pathToken)
            }
            return try add(.has(path), children: [], offset: token.offset)
        }
        var arguments: [Int32] = []
        if current.kind != .rightParen {
            while true {
                arguments.append(try parseOr())
                if current.kind == .comma {
                    advance()
                    continue
                }
                guard current.kind == .rightParen else {
                    throw syntax("expected ')' after argument list, found \(current.display)", at: current)
                }
                break
            }
        }
        advance()
        guard function.arity.contains(arguments.count) else {
            throw ExpressionError(.badArguments, "\(function.display) takes \(function.arityDescription), found "
                + "\(arguments.count)", source: source, offset: token.offset)
        }
        if function == .semver, case .constant(let rangeValue) = program.nodes[Int(arguments[0])] {
            guard case .string(let text) = rangeValue else {
                if rangeValue.isUndefined { return try add(.constant(.undefined), children: [], offset: token.offset) }
                throw ExpressionError(.typeMismatch, "semver() needs a version range string first, found "
                    + rangeValue.typeDescription, source: source, offset: token.offset)
            }
            let range: VersionRange
            do {
                range = try VersionRange(parsing: text)
            } catch {
                throw ExpressionError(.invalidRange, "semver() got an invalid range: \(error.description.dropLast())",
                                      source: source, offset: Int(program.offsets[Int(arguments[0])]))
            }
            program.ranges.append(range)
            let node = Program.Node.semver(range: Int32(program.ranges.count - 1), version: arguments[1])
            return try add(node, children: [arguments[1]], offset: token.offset)
        }
        let start = Int32(program.operands.count)
        program.operands += arguments
        return try add(.call(function, start: start, count: Int32(arguments.count)), children: arguments,
                       offset: token.offset)
    }

    // MARK: - Building

    /// Counts one level of parser nesting, failing past the limit.
    private mutating func enter(at token: Token) throws(ExpressionError) {
        nesting += 1
        if nesting > MatchExpression.maximumDepth { throw tooDeep(at: token.offset) }
    }

    private func tooDeep(at offset: Int) -> ExpressionError {
        ExpressionError(.tooDeep, "the expression is nested more than \(MatchExpression.maximumDepth) levels deep",
                        source: source, offset: offset)
    }

    private mutating func pathIndex(_ path: String) -> Int32 {
        if let existing = pathIndexes[path] { return existing }
        program.paths.append(AttributePath(path))
        let index = Int32(program.paths.count - 1)
        pathIndexes[path] = index
        return index
    }

    /// Appends a node, checks the tree depth, and folds it into a constant when all its children are constants.
    private mutating func add(_ node: Program.Node, children: [Int32], offset: Int) throws(ExpressionError) -> Int32 {
        let height = 1 + (children.map { heights[Int($0)] }.max() ?? 0)
        if height > MatchExpression.maximumDepth { throw tooDeep(at: offset) }
        program.nodes.append(node)
        program.offsets.append(Int32(offset))
        heights.append(height)
        let index = Int32(program.nodes.count - 1)
        switch node {
        case .constant, .attribute, .has: return index
        default: break
        }
        let allConstant = children.allSatisfy {
            if case .constant = program.nodes[Int($0)] { return true }
            return false
        }
        guard allConstant else { return index }
        do {
            let value = try program.evaluate(index, Attributes())
            program.nodes[Int(index)] = .constant(value)
            heights[Int(index)] = 1
        } catch {
            throw ExpressionError(error.code, error.message, source: source,
                                  offset: Int(program.offsets[Int(error.node)]), attribute: error.attribute)
        }
        return index
    }

    private func column(of token: Token) -> Int {
        ExpressionError(.syntax, "", source: source, offset: token.offset).column
    }
}
