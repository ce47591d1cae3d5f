/// An allow file that cannot be used: lines that are not peer ids, or no peer id at all.
public struct AllowedPeersError: Error, CustomStringConvertible, Sendable, Equatable {
    /// One line that is not a peer id.
    public struct Problem: Sendable, Equatable {
        public let line: Int
        public let text: String
    }

    /// The file the text came from.
    public let source: String
    /// Every bad line, in order; empty when the file names no peer.
    public let problems: [Problem]

    public var description: String {
        guard !problems.isEmpty else {
            return "\(source) lists no peer ids, so no peer could connect; list one peer id (64 hex digits) per line."
        }
        let lines = problems.prefix(10).map { problem in
            let shown = problem.text.count > 80 ? String(problem.text.prefix(80)) + "…" : problem.text
            return "\(source) line \(problem.line): '\(shown)' is not a peer id (64 hex digits)."
        }
        let more = problems.count > 10 ? ["… and \(problems.count - 10) more bad lines."] : []
        return (lines + more).joined(separator: "\n")
    }
}
