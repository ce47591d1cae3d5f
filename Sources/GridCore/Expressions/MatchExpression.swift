/// A compiled expression of PeerGrid's matching language: a job's `requirements` or `rank`, a worker's `accept`.
///
/// Parse once with `init(parsing:)`, then evaluate against many attribute sets; evaluation does not allocate
/// except to build list literals whose elements are not constants. See docs/expressions.md for the language.
/// (Not called `Expression`: Foundation has a type of that name, and most callers import Foundation.)
public struct MatchExpression: Sendable, CustomStringConvertible {
    /// The longest accepted source, in UTF-8 bytes.
    public static let maximumLength = 4096
    /// The deepest accepted nesting of parentheses, lists, calls, unary and binary operators.
    public static let maximumDepth = 64

    /// The text the expression was parsed from.
    public let source: String
    private let program: Program

    /// Parses and checks `source`: syntax, function names and arities, literal version ranges, and every
    /// subexpression made only of constants (so `1 + "a"` fails here, not at evaluation).
    public init(parsing source: String) throws(ExpressionError) {
        self.source = source
        self.program = try Parser.compile(source)
    }

    public var description: String { source }

    /// The attribute paths the expression reads (including those in `has()`), sorted.
    public var attributePaths: [String] {
        program.paths.map(\.full).sorted()
    }

    /// Evaluates against `attributes`; a missing attribute reads as `.undefined`.
    public func evaluate(_ attributes: Attributes) throws(ExpressionError) -> Value {
        do {
            return try program.evaluate(attributes)
        } catch {
            throw ExpressionError(error.code, error.message, source: source,
                                  offset: Int(program.offsets[Int(error.node)]), attribute: error.attribute,
                                  duringEvaluation: true)
        }
    }

    /// Evaluates as a requirement or accept policy, keeping the reason when it does not match.
    public func match(_ attributes: Attributes) -> MatchResult {
        let value: Value
        do {
            value = try evaluate(attributes)
        } catch {
            return .failed(error)
        }
        switch value {
        case .bool(let b): return b ? .matched : .rejected
        case .undefined: return .undefined
        default:
            return .failed(ExpressionError(.wrongResultType, "a requirement must be true or false, but this one is "
                + value.typeDescription, source: source, offset: 0, duringEvaluation: true))
        }
    }

    /// True when the expression is true; undefined, false and errors do not match.
    public func matches(_ attributes: Attributes) -> Bool {
        if case .bool(true) = try? evaluate(attributes) { return true }
        return false
    }

    /// Evaluates as a rank: a number (`true` counts 1, `false` 0), or nil when undefined, which ranks last.
    /// Throws when the expression fails or is a string or list.
    public func evaluateRank(_ attributes: Attributes) throws(ExpressionError) -> Double? {
        let value = try evaluate(attributes)
        switch value {
        case .int(let i): return Double(i)
        case .decimal(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .undefined: return nil
        case .string, .list:
            throw ExpressionError(.wrongResultType, "a rank must be a number, but this one is "
                + value.typeDescription, source: source, offset: 0, duringEvaluation: true)
        }
    }

    /// The rank, or nil (ranks last) when it is undefined or fails.
    public func rank(_ attributes: Attributes) -> Double? {
        (try? evaluateRank(attributes)) ?? nil
    }
}

/// The name the issue uses. In files that also import Foundation (which has its own `Expression`), write
/// `MatchExpression` instead.
public typealias Expression = MatchExpression
