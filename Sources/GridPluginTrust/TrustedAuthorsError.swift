/// A trusted-authors file that cannot be used: unreadable, or with a line that is not a peer id (named by number).
public struct TrustedAuthorsError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case unreadable(reason: String)
        case badLine(number: Int, text: String)
    }

    /// The file (or other source) the list came from.
    public let source: String
    private let code: Code

    static func unreadable(_ source: String, reason: String) -> Self {
        Self(source: source, code: .unreadable(reason: reason))
    }
    static func badLine(_ source: String, number: Int, text: String) -> Self {
        Self(source: source, code: .badLine(number: number, text: text))
    }

    /// The 1-based number of the bad line, when a line is at fault.
    public var lineNumber: Int? {
        if case .badLine(let number, _) = code { return number }
        return nil
    }

    public var description: String {
        switch code {
        case .unreadable(let reason):
            return "The trusted-authors file \(source) cannot be read: \(reason)."
        case .badLine(let number, let text):
            let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
            return "Line \(number) of the trusted-authors file \(source) is not a peer id (64 hex digits, optionally "
                + "followed by a # comment): \"\(shown)\"."
        }
    }
}
