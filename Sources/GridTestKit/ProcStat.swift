import Foundation

/// The fields of a `/proc/PID/stat` or `/proc/PID/task/TID/stat` line, numbered as proc(5) numbers them.
///
/// The command name (field 2) is in parentheses and may hold spaces, so the fields are counted after its closing one.
public struct ProcStat: Sendable {
    /// Fields 3 onwards.
    private let afterName: [Substring]

    /// Reads `path`; nil when it cannot be read (the process or thread is gone) or holds no name in parentheses.
    public init?(path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        afterName = text[text.index(after: close)...].split(separator: " ")
    }

    /// Field `number` as an integer (4 the parent's pid, 14 and 15 user and system CPU ticks, 19 the nice value, 41 the
    /// scheduling policy); nil when the line has no such field or it is not a number.
    public subscript(number: Int) -> Int? {
        let index = number - 3
        guard afterName.indices.contains(index) else { return nil }
        return Int(afterName[index].trimmingCharacters(in: .newlines))
    }
}
