/// Splits expression text into tokens; every malformed spot becomes a syntax error at its position.
struct Lexer {
    private let source: String
    private let bytes: [UInt8]
    private var position = 0

    init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
    }

    /// All tokens of the source, ending with `.end`.
    mutating func tokenize() throws(ExpressionError) -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func fail(_ message: String, at offset: Int) -> ExpressionError {
        ExpressionError(.syntax, message, source: source, offset: offset)
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        position + ahead < bytes.count ? bytes[position + ahead] : nil
    }

    private mutating func next() throws(ExpressionError) -> Token {
        skipSpaceAndComments()
        let start = position
        guard let c = peek() else { return Token(kind: .end, offset: start) }
        if Self.isDigit(c) { return try number() }
        if Self.isNameStart(c) { return name() }
        if c == UInt8(ascii: "\"") { return try string() }
        position += 1
        let kind: Token.Kind
        switch c {
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: "["): kind = .leftBracket
        case UInt8(ascii: "]"): kind = .rightBracket
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "-"): kind = .minus
        case UInt8(ascii: "*"): kind = .times
        case UInt8(ascii: "/"): kind = .divide
        case UInt8(ascii: "%"): kind = .remainder
        case UInt8(ascii: "!"): kind = take(UInt8(ascii: "=")) ? .notEqual : .not
        case UInt8(ascii: "<"): kind = take(UInt8(ascii: "=")) ? .lessOrEqual : .less
        case UInt8(ascii: ">"): kind = take(UInt8(ascii: "=")) ? .greaterOrEqual : .greater
        case UInt8(ascii: "="):
            guard take(UInt8(ascii: "=")) else { throw fail("'=' is not an operator; use '==' to compare", at: start) }
            kind = .equal
        case UInt8(ascii: "&"):
            guard take(UInt8(ascii: "&")) else { throw fail("expected '&&', found a single '&'", at: start) }
            kind = .and
        case UInt8(ascii: "|"):
            guard take(UInt8(ascii: "|")) else { throw fail("expected '||', found a single '|'", at: start) }
            kind = .or
        case UInt8(ascii: "'"):
            throw fail("strings are written in double quotes, not single quotes", at: start)
        default:
            throw fail("unexpected character \(Self.describe(byteAt: start, in: source))", at: start)
        }
        return Token(kind: kind, offset: start)
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                position += 1
            } else if c == UInt8(ascii: "#") {
                while let d = peek(), d != UInt8(ascii: "\n") { position += 1 }
            } else {
                return
            }
        }
    }

    private mutating func name() -> Token {
        let start = position
        while let c = peek(), Self.isNameStart(c) || Self.isDigit(c) { position += 1 }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        let kind: Token.Kind
        switch text {
        case "true": kind = .trueKeyword
        case "false": kind = .falseKeyword
        case "undefined": kind = .undefinedKeyword
        case "in": kind = .inKeyword
        default: kind = .name(text)
        }
        return Token(kind: kind, offset: start)
    }

    private mutating func number() throws(ExpressionError) -> Token {
        let start = position
        var isDecimal = false
        while let c = peek(), Self.isDigit(c) { position += 1 }
        if peek() == UInt8(ascii: "."), let after = peek(1), Self.isDigit(after) {
            isDecimal = true
            position += 1
            while let c = peek(), Self.isDigit(c) { position += 1 }
        } else if peek() == UInt8(ascii: ".") {
            throw fail("expected digits after the decimal point", at: position + 1)
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isDecimal = true
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let c = peek(), Self.isDigit(c) else { throw fail("expected digits in the exponent", at: position) }
            while let c = peek(), Self.isDigit(c) { position += 1 }
        }
        if let c = peek(), Self.isNameStart(c) {
            throw fail("expected an operator after the number, found a letter", at: position)
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isDecimal {
            guard let d = Double(text), d.isFinite else { throw fail("the number \(text) is too large", at: start) }
            return Token(kind: .decimal(d), offset: start)
        }
        guard let i = Int(text) else {
            throw fail("the integer \(text) is too large; the largest is \(Int.max)", at: start)
        }
        return Token(kind: .integer(i), offset: start)
    }

    private mutating func string() throws(ExpressionError) -> Token {
        let start = position
        position += 1
        var content: [UInt8] = []
        while true {
            guard let c = peek(), c != UInt8(ascii: "\n") else {
                throw fail("unterminated string; expected a closing '\"'", at: start)
            }
            position += 1
            if c == UInt8(ascii: "\"") { break }
            if c != UInt8(ascii: "\\") {
                content.append(c)
                continue
            }
            guard let escaped = peek() else { throw fail("unterminated string; expected a closing '\"'", at: start) }
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): content.append(escaped)
            case UInt8(ascii: "n"): content.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "t"): content.append(UInt8(ascii: "\t"))
            default:
                throw fail("unknown escape in string; use \\\" \\\\ \\n or \\t", at: position - 1)
            }
            position += 1
        }
        return Token(kind: .string(String(decoding: content, as: UTF8.self)), offset: start)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_")
    }

    /// The character starting at a UTF-8 offset, quoted, or its code point when it is not printable.
    private static func describe(byteAt offset: Int, in source: String) -> String {
        let utf8 = source.utf8
        let index = utf8.index(utf8.startIndex, offsetBy: offset)
        guard let scalarIndex = index.samePosition(in: source.unicodeScalars) else { return "(invalid UTF-8)" }
        let scalar = source.unicodeScalars[scalarIndex]
        let code = "U+" + String(scalar.value, radix: 16, uppercase: true)
        let invisible = scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
            || scalar.properties.generalCategory == .format || scalar.properties.generalCategory == .control
        if invisible { return code }
        return "'\(Character(scalar))' (\(code))"
    }
}
