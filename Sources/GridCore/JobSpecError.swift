/// A job spec that cannot be used, naming the field and what was wrong with it.
public struct JobSpecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The spec file, when the spec came from one.
    public var file: String?
    /// The offending field (`input.file`, `timeoutSeconds`), or nil when the whole document is wrong.
    public var field: String?
    public var reason: String
    /// Where in the document the problem is (from 1), for syntax errors.
    public var line: Int?
    public var column: Int?

    public init(file: String? = nil, field: String?, reason: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.field = field
        self.reason = reason
        self.line = line
        self.column = column
    }

    /// `spec.json: field 'x' must ...`, or with a position `spec.json:3:17: a trailing comma ...` (the form
    /// compilers use, which editors can jump to); without a file, `line 3, column 17: ...`.
    public var description: String {
        var place = file.map { "\($0): " } ?? ""
        if let line, let column {
            place = file.map { "\($0):\(line):\(column): " } ?? "line \(line), column \(column): "
        }
        if let field { return "\(place)field '\(field)' \(reason)" }
        return "\(place)\(reason)"
    }
}
