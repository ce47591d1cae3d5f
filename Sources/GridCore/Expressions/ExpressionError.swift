/// Why an expression could not be parsed or evaluated, with the place in the source and what was expected.
///
/// `description` for a syntax error reads
/// ```
/// line 1, column 15: expected ')' after argument list
///   has(labels.gpu
///                 ^
/// ```
/// and for an evaluation error names the expression and the attribute on one line.
public struct ExpressionError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is, for code that reacts to it; the text is in `message`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case syntax = "syntax error"
            case tooLong = "expression too long"
            case tooDeep = "expression nested too deeply"
            case unknownFunction = "unknown function"
            case badArguments = "bad function arguments"
            case invalidRange = "invalid version range"
            case typeMismatch = "type mismatch"
            case divisionByZero = "division by zero"
            case overflow = "number out of range"
            case invalidVersion = "invalid version"
            case wrongResultType = "wrong result type"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The text does not follow the grammar.
        public static let syntax = Code(.syntax)
        /// The text is longer than `MatchExpression.maximumLength`.
        public static let tooLong = Code(.tooLong)
        /// The expression nests deeper than `MatchExpression.maximumDepth`.
        public static let tooDeep = Code(.tooDeep)
        /// A call names a function the language does not have.
        public static let unknownFunction = Code(.unknownFunction)
        /// A function got the wrong number or form of arguments.
        public static let badArguments = Code(.badArguments)
        /// `semver()` got a range that does not parse.
        public static let invalidRange = Code(.invalidRange)
        /// An operator or function got a value of a kind it cannot use.
        public static let typeMismatch = Code(.typeMismatch)
        /// A division or remainder by zero.
        public static let divisionByZero = Code(.divisionByZero)
        /// An integer overflowed or a decimal became infinite.
        public static let overflow = Code(.overflow)
        /// `semver()` got a version that does not parse.
        public static let invalidVersion = Code(.invalidVersion)
        /// A requirement was not a boolean, or a rank not a number.
        public static let wrongResultType = Code(.wrongResultType)

        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public let code: Code
    /// The whole expression text.
    public let source: String
    /// What was wrong, as a sentence fragment without location: `expected ')' after argument list`.
    public let message: String
    /// 1-based line of the spot in `source`.
    public let line: Int
    /// 1-based column (in characters) of the spot in `source`.
    public let column: Int
    /// The attribute involved, for evaluation errors that concern one.
    public let attribute: String?
    /// True when the error happened while evaluating against attributes, false when parsing or checking.
    public let isEvaluationError: Bool

    init(_ code: Code, _ message: String, source: String, offset: Int, attribute: String? = nil,
         duringEvaluation: Bool = false) {
        self.code = code
        self.source = source
        self.message = message
        self.attribute = attribute
        self.isEvaluationError = duringEvaluation
        let position = Self.position(of: offset, in: source)
        self.line = position.line
        self.column = position.column
    }

    /// The source line of the spot with a caret under it, indented by two spaces; a line longer than 100
    /// characters is cut to the 100 around the spot, with `...` marking the cuts.
    public var caretDisplay: String {
        let lines = source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let whole = line - 1 < lines.count ? Array(lines[line - 1]) : []
        let width = 100
        let start = whole.count > width ? max(0, min(column - 1 - width / 2, whole.count - width)) : 0
        let end = min(whole.count, start + width)
        let lead = start > 0 ? "..." : ""
        let text = lead + String(whole[start..<end]) + (end < whole.count ? "..." : "")
        // Keep tabs so the caret lines up under them.
        let before = whole[start..<min(max(start, column - 1), end)]
        let pad = String(repeating: " ", count: lead.count) + String(before.map { $0 == "\t" ? "\t" : " " })
        return "  " + text + "\n  " + pad + "^"
    }

    /// One line naming the expression, the place and the problem, for logs and `grid explain`.
    public var summary: String {
        let attributePart = attribute.map { " (attribute '\($0)')" } ?? ""
        let what = isEvaluationError ? "failed" : "is invalid"
        return "expression `\(Self.shortened(source))` \(what) at line \(line), column \(column)\(attributePart): "
            + "\(message)."
    }

    public var description: String {
        isEvaluationError ? summary : "line \(line), column \(column): \(message)\n\(caretDisplay)"
    }

    /// The source on one line, cut to 80 characters.
    private static func shortened(_ source: String) -> String {
        let flat = String(source.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
        return flat.count <= 80 ? flat : String(flat.prefix(77)) + "..."
    }

    /// Line and column of a UTF-8 offset.
    private static func position(of offset: Int, in source: String) -> (line: Int, column: Int) {
        let utf8 = source.utf8
        let clamped = max(0, min(offset, utf8.count))
        let target = utf8.index(utf8.startIndex, offsetBy: clamped)
        var line = 1
        var lineStart = source.startIndex
        var index = source.startIndex
        while index < target {
            if source[index].isNewline {
                line += 1
                lineStart = source.index(after: index)
            }
            index = source.index(after: index)
        }
        // An offset inside a multi-byte character counts as that character.
        let column = source[lineStart..<min(index, source.endIndex)].count + 1
        return (line, column)
    }
}
