/// A function of the expression language.
enum Function: String, Sendable, CaseIterable {
    case has
    case startsWith = "starts_with"
    case contains
    case min
    case max
    case semver

    /// How many arguments a call takes.
    var arity: ClosedRange<Int> {
        switch self {
        case .has: return 1...1
        case .startsWith, .contains, .semver: return 2...2
        case .min, .max: return 1...Int.max
        }
    }

    /// How a call is described in messages: `starts_with()`.
    var display: String { rawValue + "()" }

    /// The arity in words: "1 argument", "2 arguments", "at least 1 argument".
    var arityDescription: String {
        switch self {
        case .has: return "1 argument"
        case .startsWith, .contains, .semver: return "2 arguments"
        case .min, .max: return "at least 1 argument"
        }
    }

    /// The names of all functions, for "unknown function" messages.
    static let namesList = allCases.map(\.rawValue).joined(separator: ", ")
}
