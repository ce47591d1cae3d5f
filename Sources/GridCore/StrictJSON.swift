/// A strict JSON (RFC 8259) syntax checker that says where a document goes wrong.
///
/// Foundation's parsers report no position and accept some documents silently (a duplicate key keeps one value).
/// This checker is run before a document is decoded and refuses, with line and column: anything that is not
/// RFC 8259 JSON (trailing commas, comments, single quotes, leading zeros, bare words, control characters in
/// strings, lone surrogates in `\u` escapes, content after the value), numbers beyond a Double's range, duplicate
/// keys in one object, and nesting deeper than `maxDepth`.
public struct StrictJSON {
    /// The deepest nesting of arrays and objects accepted.
    public static let maxDepth = 256

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var depth = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Throws the first problem in `document`, or returns when it is strict JSON.
    public static func check<Bytes: Sequence>(_ document: Bytes) throws(JSONSyntaxError) where Bytes.Element == UInt8 {
        var checker = StrictJSON(Array(document))
        if checker.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            checker.index = 3  // a UTF-8 byte order mark
        }
        checker.skipWhitespace()
        guard checker.index < checker.bytes.count else { throw checker.error("the document is empty") }
        try checker.value()
        checker.skipWhitespace()
        guard checker.index == checker.bytes.count else {
            throw checker.error("unexpected \(checker.describeCurrent()) after the end of the document")
        }
    }

    // MARK: Values

    private mutating func value() throws(JSONSyntaxError) {
        guard let byte = current else { throw error("the document ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        case UInt8(ascii: "t"): try word("true")
        case UInt8(ascii: "f"): try word("false")
        case UInt8(ascii: "n"): try word("null")
        default: throw error("expected a value but found \(describeCurrent())")
        }
    }

    private mutating func object() throws(JSONSyntaxError) {
        try enter()
        advance()  // {
        skipWhitespace()
        var seen: [String: (line: Int, column: Int)] = [:]
        if current == UInt8(ascii: "}") {
            advance()
            depth -= 1
            return
        }
        while true {
            guard current == UInt8(ascii: "\"") else {
                if current == UInt8(ascii: "}") { throw error("a trailing comma is not allowed before '}'") }
                throw error("expected a key in double quotes but found \(describeCurrent())")
            }
            let (keyLine, keyColumn) = (line, column)
            let key = try string()
            if let first = seen[key] {
                throw JSONSyntaxError(line: keyLine, column: keyColumn, reason: "duplicate key \"\(key)\" (first at "
                                      + "line \(first.line), column \(first.column))")
            }
            seen[key] = (keyLine, keyColumn)
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw error("expected ':' after the key \"\(key)\" but found \(describeCurrent())")
            }
            advance()
            skipWhitespace()
            try value()
            if try endOfElement(closing: UInt8(ascii: "}")) { return }
        }
    }

    private mutating func array() throws(JSONSyntaxError) {
        try enter()
        advance()  // [
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            advance()
            depth -= 1
            return
        }
        while true {
            if current == UInt8(ascii: "]") { throw error("a trailing comma is not allowed before ']'") }
            try value()
            if try endOfElement(closing: UInt8(ascii: "]")) { return }
        }
    }

    /// After a member or an element: true when `closing` ended the container, false after a comma.
    private mutating func endOfElement(closing: UInt8) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","):
            advance()
            skipWhitespace()
            return false
        case closing:
            advance()
            depth -= 1
            return true
        default:
            throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))' but found \(describeCurrent())")
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw error("arrays and objects are nested more than \(Self.maxDepth) deep")
        }
    }

    /// Reads a string and returns its decoded text (to compare keys).
    private mutating func string() throws(JSONSyntaxError) -> String {
        let (startLine, startColumn) = (line, column)
        advance()  // "
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []
        func flush() throws(JSONSyntaxError) {
            guard let text = String(validating: run, as: UTF8.self) else {
                throw JSONSyntaxError(line: startLine, column: startColumn,
                                      reason: "the string starting here is not valid UTF-8")
            }
            scalars.append(contentsOf: text.unicodeScalars)
            run.removeAll(keepingCapacity: true)
        }
        while true {
            guard let byte = current else {
                throw JSONSyntaxError(line: startLine, column: startColumn,
                                      reason: "the string starting here is never closed")
            }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                try flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush()
                advance()
                guard let escape = current else { continue }
                advance()
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
                default:
                    throw error("'\\\(Character(Unicode.Scalar(escape)))' is not a JSON escape", back: 2)
                }
            case 0..<0x20:
                throw error("a control character (\(describe(byte))) must be escaped inside a string")
            default:
                run.append(byte)
                advance()
            }
        }
    }

    /// After `\u`: four hex digits, a surrogate pair taken whole. A lone surrogate is refused: it encodes no
    /// character, and Foundation's parser, which reads the document next, refuses it without saying where.
    private mutating func unicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800..<0xDC00).contains(high) {
            if bytes[index...].starts(with: Array("\\u".utf8)) {
                let save = (index, line, column)
                advance()
                advance()
                let low = try hex4()
                if (0xDC00..<0xE000).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10)
                                                                                  + (low - 0xDC00)) {
                    return scalar
                }
                (index, line, column) = save
            }
            throw error(
                "'\\u\(Self.hex(high))' is a lone surrogate: a low surrogate (\\uDC00-\\uDFFF) must follow it", back: 6)
        }
        guard let scalar = Unicode.Scalar(high) else {
            throw error("'\\u\(Self.hex(high))' is a lone surrogate: it must follow a high surrogate (\\uD800-\\uDBFF)",
                        back: 6)
        }
        return scalar
    }

    private static func hex(_ value: UInt32) -> String {
        String(value, radix: 16, uppercase: true).leftPadded(to: 4)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexValue(byte) else {
                throw error("'\\u' must be followed by four hex digits")
            }
            value = value << 4 | digit
            advance()
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// A number, which must also be within a Double's range: Foundation refuses one that would be infinite, without
    /// saying where.
    private mutating func number() throws(JSONSyntaxError) {
        let (start, startLine, startColumn) = (index, line, column)
        try numberSyntax()
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if let value = Double(text), !value.isFinite {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            throw JSONSyntaxError(line: startLine, column: startColumn,
                                  reason: "the number \(shown) is too large (beyond ±1.8e308)")
        }
    }

    private mutating func numberSyntax() throws(JSONSyntaxError) {
        let (startLine, startColumn) = (line, column)
        func bad(_ reason: String) -> JSONSyntaxError {
            JSONSyntaxError(line: startLine, column: startColumn, reason: reason)
        }
        if current == UInt8(ascii: "-") { advance() }
        guard let first = current, Self.isDigit(first) else { throw bad("a number must have digits after '-'") }
        advance()
        if first == UInt8(ascii: "0"), let next = current, Self.isDigit(next) {
            throw bad("a number must not start with a leading zero")
        }
        while let byte = current, Self.isDigit(byte) { advance() }
        if current == UInt8(ascii: ".") {
            advance()
            guard let byte = current, Self.isDigit(byte) else { throw bad("a number must have digits after '.'") }
            while let byte = current, Self.isDigit(byte) { advance() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            advance()
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { advance() }
            guard let byte = current, Self.isDigit(byte) else { throw bad("a number's exponent must have digits") }
            while let byte = current, Self.isDigit(byte) { advance() }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private mutating func word(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard bytes[index...].prefix(while: Self.isWordByte).elementsEqual(expected) else {
            throw error("expected a value but found \(describeCurrent())")
        }
        for _ in expected { advance() }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
    }

    // MARK: Position

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1  // count characters: UTF-8 continuation bytes do not start one
        }
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { advance() }
    }

    /// An error at the current position, or `back` characters before it (on the same line).
    private func error(_ reason: String, back: Int = 0) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: max(1, column - back), reason: reason)
    }

    private func describeCurrent() -> String {
        guard let byte = current else { return "the end of the document" }
        if byte < 0x80 {
            if let word = bareWord() { return "'\(word)'" }
            return byte < 0x20 || byte == 0x7F ? describe(byte) : "'\(Character(Unicode.Scalar(byte)))'"
        }
        let end = bytes[index...].prefix(4)
        let text = String(decoding: end, as: UTF8.self)
        return text.first.map { "'\($0)'" } ?? describe(byte)
    }

    /// The identifier-like run at the current position (`True`, `undefined`), shortened, if there is one.
    private func bareWord() -> String? {
        let run = bytes[index...].prefix(while: Self.isWordByte).prefix(24)
        guard run.count > 1 else { return nil }
        return String(decoding: run, as: UTF8.self)
    }

    private func describe(_ byte: UInt8) -> String {
        "byte 0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
