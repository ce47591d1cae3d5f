/// A JSON document that `StrictJSON` refuses, with the line and column (both from 1) where the problem is.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
    public var line: Int
    /// Counted in characters (Unicode scalars), not bytes.
    public var column: Int
    /// What is wrong, as a sentence fragment: "a trailing comma is not allowed before '}'".
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}
