/// The compact, checked form of an expression: a flat array of nodes that refer to each other by index.
///
/// Built once by `Parser` (constants folded, paths split, literal version ranges parsed), then evaluated many
/// times by `Program+Evaluation.swift` without allocating.
struct Program: Sendable {
    /// One operation. Child nodes and argument lists are indexes into `nodes` and `operands`.
    enum Node: Sendable {
        case constant(Value)
        /// Reads `paths[index]`.
        case attribute(Int32)
        /// `has(paths[index])`.
        case has(Int32)
        case not(Int32)
        case negate(Int32)
        case arithmetic(ArithmeticOperator, Int32, Int32)
        case comparison(ComparisonOperator, Int32, Int32)
        /// `&&` over `operands[start ..< start + count]`.
        case and(start: Int32, count: Int32)
        /// `||` over `operands[start ..< start + count]`.
        case or(start: Int32, count: Int32)
        /// `element in list`.
        case membership(Int32, Int32)
        /// A list literal with at least one non-constant element.
        case list(start: Int32, count: Int32)
        case call(Function, start: Int32, count: Int32)
        /// `semver(ranges[range], version)` with a literal range.
        case semver(range: Int32, version: Int32)
    }

    var nodes: [Node] = []
    /// UTF-8 offset in the source of each node, for error positions.
    var offsets: [Int32] = []
    var operands: [Int32] = []
    var paths: [AttributePath] = []
    var ranges: [VersionRange] = []
    var root: Int32 = 0

    /// The children of a node, in order.
    func children(of index: Int32) -> [Int32] {
        switch nodes[Int(index)] {
        case .constant, .attribute, .has: return []
        case .not(let a), .negate(let a), .semver(_, let a): return [a]
        case .arithmetic(_, let a, let b), .comparison(_, let a, let b), .membership(let a, let b): return [a, b]
        case .and(let start, let count), .or(let start, let count), .list(let start, let count),
            .call(_, let start, let count):
            return Array(operands[Int(start)..<Int(start + count)])
        }
    }

    /// The attribute path a node reads, if it is an attribute.
    func attributeName(of index: Int32) -> String? {
        if case .attribute(let path) = nodes[Int(index)] { return paths[Int(path)].full }
        return nil
    }

    /// A copy holding only the nodes reachable from `root` (folding leaves the folded children behind).
    func compacted() -> Program {
        var out = Program()
        out.paths = paths
        out.ranges = ranges
        out.root = copy(root, into: &out)
        return out
    }

    private func copy(_ index: Int32, into out: inout Program) -> Int32 {
        let node = nodes[Int(index)]
        let copiedChildren = children(of: index).map { copy($0, into: &out) }
        let start = Int32(out.operands.count)
        let count = Int32(copiedChildren.count)
        let rebuilt: Node
        switch node {
        case .constant, .attribute, .has: rebuilt = node
        case .not: rebuilt = .not(copiedChildren[0])
        case .negate: rebuilt = .negate(copiedChildren[0])
        case .semver(let range, _): rebuilt = .semver(range: range, version: copiedChildren[0])
        case .arithmetic(let op, _, _): rebuilt = .arithmetic(op, copiedChildren[0], copiedChildren[1])
        case .comparison(let op, _, _): rebuilt = .comparison(op, copiedChildren[0], copiedChildren[1])
        case .membership: rebuilt = .membership(copiedChildren[0], copiedChildren[1])
        case .and:
            out.operands += copiedChildren
            rebuilt = .and(start: start, count: count)
        case .or:
            out.operands += copiedChildren
            rebuilt = .or(start: start, count: count)
        case .list:
            out.operands += copiedChildren
            rebuilt = .list(start: start, count: count)
        case .call(let function, _, _):
            out.operands += copiedChildren
            rebuilt = .call(function, start: start, count: count)
        }
        out.nodes.append(rebuilt)
        out.offsets.append(offsets[Int(index)])
        return Int32(out.nodes.count - 1)
    }
}
