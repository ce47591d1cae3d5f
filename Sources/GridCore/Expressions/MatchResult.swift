/// The outcome of evaluating a requirement or accept policy, with the reason when it did not match.
public enum MatchResult: Sendable, Equatable {
    /// The expression is true.
    case matched
    /// The expression is false.
    case rejected
    /// The expression is undefined (it read a missing attribute), which does not match.
    case undefined
    /// The expression failed (a type mismatch, a non-boolean result, ...), which does not match.
    case failed(ExpressionError)

    /// True only for `.matched`.
    public var isMatch: Bool { self == .matched }

    /// Why it did not match, as one line for `grid explain`; nil when it matched.
    public var reason: String? {
        switch self {
        case .matched: return nil
        case .rejected: return "the expression is false"
        case .undefined: return "the expression is undefined (it reads an attribute that is missing)"
        case .failed(let error): return error.summary
        }
    }
}
