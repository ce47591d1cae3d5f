/// Text that is not strict JSON: the byte offset of the problem and what was wrong there.
struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    let offset: Int
    /// A clause such as "a key appears twice (\"name\")".
    let reason: String

    var description: String { "at byte \(offset): \(reason)" }
}
