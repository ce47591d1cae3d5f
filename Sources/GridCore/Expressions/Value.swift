/// A value in the expression language: what an attribute holds and what an expression evaluates to.
///
/// `undefined` is what a missing attribute reads as; operators propagate it by the rules in docs/expressions.md.
public enum Value: Sendable, Hashable {
    case int(Int)
    case decimal(Double)
    case string(String)
    case bool(Bool)
    case list([Value])
    case undefined

    /// True for `.undefined`.
    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The numeric value of an `.int` or `.decimal`; nil for every other case.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .decimal(let d): return d
        default: return nil
        }
    }

    /// The kind of value in words, with its article, for error messages: "an integer", "a string".
    public var typeDescription: String {
        switch self {
        case .int: return "an integer"
        case .decimal: return "a decimal"
        case .string: return "a string"
        case .bool: return "a boolean"
        case .list: return "a list"
        case .undefined: return "undefined"
        }
    }

    /// Equality as `==` and `in` see it: integers and decimals compare by value, lists element by element,
    /// values of different kinds are unequal.
    func looselyEquals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.int, .decimal), (.decimal, .int), (.decimal, .decimal): return number == other.number
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for index in a.indices where !a[index].looselyEquals(b[index]) { return false }
            return true
        case (.undefined, .undefined): return true
        default: return false
        }
    }
}

extension Value: CustomStringConvertible {
    /// The value written as a literal of the language: `4`, `2.5`, `"a100"`, `[1, 2]`, `undefined`.
    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .decimal(let d):
            let text = String(d)
            return text.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) ? text : text + ".0"
        case .string(let s): return Self.quoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .undefined: return "undefined"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .decimal(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
}
