#if canImport(Glibc)
import Glibc  // links libm, which `truncatingRemainder` calls (fmod)
#elseif canImport(Musl)
import Musl
#endif

/// Why evaluating a node failed; `Expression` turns it into an `ExpressionError` with the source position.
struct EvaluationFailure: Error {
    var code: ExpressionError.Code
    var message: String
    var node: Int32
    var attribute: String?
}

extension Program {
    /// Evaluates the whole program against `attributes`.
    func evaluate(_ attributes: Attributes) throws(EvaluationFailure) -> Value {
        try evaluate(root, attributes)
    }

    /// Evaluates one node. Recursion is bounded by `MatchExpression.maximumDepth`, checked at compile time.
    func evaluate(_ index: Int32, _ attributes: Attributes) throws(EvaluationFailure) -> Value {
        switch nodes[Int(index)] {
        case .constant(let value):
            return value
        case .attribute(let path):
            return attributes.value(at: paths[Int(path)])
        case .has(let path):
            return .bool(attributes.has(paths[Int(path)]))
        case .not(let operand):
            let value = try evaluate(operand, attributes)
            switch value {
            case .bool(let b): return .bool(!b)
            case .undefined: return .undefined
            default: throw mismatch(at: index, "'!' needs a boolean, found \(describe(operand, value))", operand)
            }
        case .negate(let operand):
            let value = try evaluate(operand, attributes)
            switch value {
            case .int(let i):
                let (result, overflow) = Int(0).subtractingReportingOverflow(i)
                if overflow { throw failure(.overflow, "integer overflow in '-'", at: index) }
                return .int(result)
            case .decimal(let d): return .decimal(-d)
            case .undefined: return .undefined
            default: throw mismatch(at: index, "'-' needs a number, found \(describe(operand, value))", operand)
            }
        case .arithmetic(let op, let left, let right):
            let l = try evaluate(left, attributes)
            let r = try evaluate(right, attributes)
            return try arithmetic(op, l, r, at: index, left, right)
        case .comparison(let op, let left, let right):
            let l = try evaluate(left, attributes)
            let r = try evaluate(right, attributes)
            return try compare(op, l, r, at: index, left, right)
        case .and(let start, let count):
            var sawUndefined = false
            for position in start..<start + count {
                let operand = operands[Int(position)]
                switch try evaluate(operand, attributes) {
                case .bool(false): return .bool(false)
                case .bool(true): continue
                case .undefined: sawUndefined = true
                case let other:
                    throw mismatch(at: index, "'&&' needs booleans, found \(describe(operand, other))", operand)
                }
            }
            return sawUndefined ? .undefined : .bool(true)
        case .or(let start, let count):
            var sawUndefined = false
            for position in start..<start + count {
                let operand = operands[Int(position)]
                switch try evaluate(operand, attributes) {
                case .bool(true): return .bool(true)
                case .bool(false): continue
                case .undefined: sawUndefined = true
                case let other:
                    throw mismatch(at: index, "'||' needs booleans, found \(describe(operand, other))", operand)
                }
            }
            return sawUndefined ? .undefined : .bool(false)
        case .membership(let element, let list):
            let e = try evaluate(element, attributes)
            let l = try evaluate(list, attributes)
            switch (e, l) {
            case (.undefined, _), (_, .undefined): return .undefined
            case (_, .list(let items)): return .bool(items.contains { $0.looselyEquals(e) })
            default:
                throw mismatch(at: index, "'in' needs a list on its right, found \(describe(list, l)); "
                    + "use contains() to search in a string", list)
            }
        case .list(let start, let count):
            var items: [Value] = []
            items.reserveCapacity(Int(count))
            for position in start..<start + count {
                items.append(try evaluate(operands[Int(position)], attributes))
            }
            return .list(items)
        case .call(let function, let start, let count):
            return try call(function, start: start, count: count, at: index, attributes)
        case .semver(let range, let version):
            let v = try evaluate(version, attributes)
            return try semver(ranges[Int(range)], v, at: index, version)
        }
    }

    // MARK: - Operators

    private func arithmetic(_ op: ArithmeticOperator, _ l: Value, _ r: Value, at index: Int32,
                            _ left: Int32, _ right: Int32) throws(EvaluationFailure) -> Value {
        switch (l, r) {
        case (.undefined, _), (_, .undefined):
            return .undefined
        case (.int(let a), .int(let b)):
            let result: (partialValue: Int, overflow: Bool)
            switch op {
            case .add: result = a.addingReportingOverflow(b)
            case .subtract: result = a.subtractingReportingOverflow(b)
            case .multiply: result = a.multipliedReportingOverflow(by: b)
            case .divide:
                if b == 0 { throw failure(.divisionByZero, "division by zero", at: index) }
                return try finite(Double(a) / Double(b), op, at: index)
            case .remainder:
                if b == 0 { throw failure(.divisionByZero, "remainder of a division by zero", at: index) }
                result = a.remainderReportingOverflow(dividingBy: b)
            }
            if result.overflow { throw failure(.overflow, "integer overflow in '\(op.rawValue)'", at: index) }
            return .int(result.partialValue)
        default:
            guard let a = l.number, let b = r.number else {
                throw mismatch(at: index, "'\(op.rawValue)' needs numbers, found \(describe(left, l)) and "
                    + "\(describe(right, r))", left, right)
            }
            switch op {
            case .add: return try finite(a + b, op, at: index)
            case .subtract: return try finite(a - b, op, at: index)
            case .multiply: return try finite(a * b, op, at: index)
            case .divide:
                if b == 0 { throw failure(.divisionByZero, "division by zero", at: index) }
                return try finite(a / b, op, at: index)
            case .remainder:
                if b == 0 { throw failure(.divisionByZero, "remainder of a division by zero", at: index) }
                return try finite(a.truncatingRemainder(dividingBy: b), op, at: index)
            }
        }
    }

    private func finite(_ d: Double, _ op: ArithmeticOperator, at index: Int32) throws(EvaluationFailure) -> Value {
        guard d.isFinite else {
            throw failure(.overflow, "the result of '\(op.rawValue)' is too large to represent", at: index)
        }
        return .decimal(d)
    }

    private func compare(_ op: ComparisonOperator, _ l: Value, _ r: Value, at index: Int32,
                         _ left: Int32, _ right: Int32) throws(EvaluationFailure) -> Value {
        let order: Int
        switch (l, r) {
        case (.undefined, _), (_, .undefined):
            return .undefined
        case (.int(let a), .int(let b)):
            order = a < b ? -1 : (a == b ? 0 : 1)
        case (.int, .decimal), (.decimal, .int), (.decimal, .decimal):
            let a = l.number ?? 0
            let b = r.number ?? 0
            order = a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)):
            order = a < b ? -1 : (a == b ? 0 : 1)
        case (.bool, .bool), (.list, .list):
            switch op {
            case .equal: return .bool(l.looselyEquals(r))
            case .notEqual: return .bool(!l.looselyEquals(r))
            default:
                throw mismatch(at: index, "'\(op.rawValue)' cannot order \(describe(left, l)) and "
                    + "\(describe(right, r)); only numbers and strings have an order", left, right)
            }
        default:
            throw mismatch(at: index, "'\(op.rawValue)' cannot compare \(describe(left, l)) with "
                + "\(describe(right, r))", left, right)
        }
        switch op {
        case .equal: return .bool(order == 0)
        case .notEqual: return .bool(order != 0)
        case .less: return .bool(order < 0)
        case .lessOrEqual: return .bool(order <= 0)
        case .greater: return .bool(order > 0)
        case .greaterOrEqual: return .bool(order >= 0)
        }
    }

    // MARK: - Functions

    private func call(_ function: Function, start: Int32, count: Int32, at index: Int32,
                      _ attributes: Attributes) throws(EvaluationFailure) -> Value {
        switch function {
        case .has:
            // `has` always compiles to `.has`; a call node cannot hold it.
            return .undefined
        case .startsWith, .contains:
            let first = operands[Int(start)]
            let second = operands[Int(start) + 1]
            let a = try evaluate(first, attributes)
            let b = try evaluate(second, attributes)
            switch (a, b) {
            case (.undefined, _), (_, .undefined): return .undefined
            case (.string(let s), .string(let p)):
                return .bool(function == .startsWith ? s.hasPrefix(p) : Self.substring(p, in: s))
            case (.list(let items), _) where function == .contains:
                return .bool(items.contains { $0.looselyEquals(b) })
            default:
                let needs = function == .startsWith ? "two strings" : "a string and a string, or a list and a value"
                throw mismatch(at: index, "\(function.display) needs \(needs), found \(describe(first, a)) and "
                    + "\(describe(second, b))", first, second)
            }
        case .min, .max:
            var best: Value?
            if count == 1 {
                let only = operands[Int(start)]
                let value = try evaluate(only, attributes)
                switch value {
                case .undefined: return .undefined
                case .list(let items):
                    for item in items {
                        if item.isUndefined { return .undefined }
                        guard item.number != nil else {
                            throw mismatch(at: index, "\(function.display) needs numbers, found "
                                + "\(item.typeDescription) in \(describe(only, value))", only)
                        }
                        try consider(item, into: &best, function, at: index, only)
                    }
                    return best ?? .undefined
                default:
                    try consider(value, into: &best, function, at: index, only)
                    return value
                }
            }
            var sawUndefined = false
            for position in start..<start + count {
                let operand = operands[Int(position)]
                let value = try evaluate(operand, attributes)
                if value.isUndefined {
                    sawUndefined = true
                } else {
                    try consider(value, into: &best, function, at: index, operand)
                }
            }
            return sawUndefined ? .undefined : (best ?? .undefined)
        case .semver:
            let first = operands[Int(start)]
            let second = operands[Int(start) + 1]
            let rangeValue = try evaluate(first, attributes)
            let version = try evaluate(second, attributes)
            switch rangeValue {
            case .undefined: return .undefined
            case .string(let text):
                if version.isUndefined { return .undefined }
                let range: VersionRange
                do {
                    range = try VersionRange(parsing: text)
                } catch {
                    throw failure(.invalidRange, "semver() got an invalid range: \(error.description.dropLast())",
                                  at: index, attribute: attributeName(of: first))
                }
                return try semver(range, version, at: index, second)
            default:
                throw mismatch(at: index, "semver() needs a version range string first, found "
                    + "\(describe(first, rangeValue))", first)
            }
        }
    }

    private func consider(_ value: Value, into best: inout Value?, _ function: Function, at index: Int32,
                          _ operand: Int32) throws(EvaluationFailure) {
        guard let number = value.number else {
            throw mismatch(at: index, "\(function.display) needs numbers, found \(describe(operand, value))", operand)
        }
        guard let current = best?.number else {
            best = value
            return
        }
        if function == .min ? number < current : number > current { best = value }
    }

    private func semver(_ range: VersionRange, _ version: Value, at index: Int32,
                        _ operand: Int32) throws(EvaluationFailure) -> Value {
        switch version {
        case .undefined:
            return .undefined
        case .string(let text):
            guard let parsed = SemanticVersion(text) else {
                let what = attributeName(of: operand).map { "attribute '\($0)'" } ?? "the version"
                throw failure(.invalidVersion, "semver() needs a version such as 1.2.3, but \(what) is "
                    + "\(Value.string(text).description)", at: index, attribute: attributeName(of: operand))
            }
            return .bool(range.contains(parsed))
        default:
            throw mismatch(at: index, "semver() needs a version string second, found \(describe(operand, version))",
                           operand)
        }
    }

    /// True when `needle` occurs in `haystack`, comparing UTF-8 bytes; does not allocate.
    private static func substring(_ needle: String, in haystack: String) -> Bool {
        let h = haystack.utf8
        let n = needle.utf8
        guard !n.isEmpty else { return true }
        var start = h.startIndex
        while start != h.endIndex {
            if h[start...].starts(with: n) { return true }
            start = h.index(after: start)
        }
        return false
    }

    // MARK: - Failures

    /// Describes an operand for a message: `attribute 'os' (a string)` or `an integer`.
    private func describe(_ operand: Int32, _ value: Value) -> String {
        if let name = attributeName(of: operand) { return "attribute '\(name)' (\(value.typeDescription))" }
        return value.typeDescription
    }

    private func mismatch(at index: Int32, _ message: String, _ operands: Int32...) -> EvaluationFailure {
        let attribute = operands.lazy.compactMap { self.attributeName(of: $0) }.first
        return EvaluationFailure(code: .typeMismatch, message: message, node: index, attribute: attribute)
    }

    private func failure(_ code: ExpressionError.Code, _ message: String, at index: Int32,
                         attribute: String? = nil) -> EvaluationFailure {
        EvaluationFailure(code: code, message: message, node: index, attribute: attribute)
    }
}
