/// A set of acceptable versions, written the way npm and Cargo users expect:
/// `*`, `1.2.3` (exactly), `^1.2` (compatible), `~1.2.3` (patch updates), `>=1.0.0 <2.0.0` (all of several),
/// `1.x`, and alternatives joined by `||`.
public struct VersionRange: Hashable, Sendable, CustomStringConvertible {
    struct Comparator: Hashable, Sendable {
        enum Op: Hashable, Sendable { case lt, le, gt, ge, eq }
        var op: Op
        var version: SemanticVersion

        func admits(_ v: SemanticVersion) -> Bool {
            switch op {
            case .lt: return v < version
            case .le: return v <= version
            case .gt: return v > version
            case .ge: return v >= version
            case .eq: return v == version
            }
        }
    }

    /// Alternatives (`||`), each a conjunction of comparators.
    let alternatives: [[Comparator]]
    public let description: String

    /// Every version.
    public static let any = VersionRange(alternatives: [[]], description: "*")

    private init(alternatives: [[Comparator]], description: String) {
        self.alternatives = alternatives
        self.description = description
    }

    /// Parses a range; throws a `SpecError`-style message naming what was wrong.
    public init(parsing text: String) throws(VersionRangeError) {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw VersionRangeError(text: text, reason: "it is empty") }
        var alternatives: [[Comparator]] = []
        for alternative in trimmed.split(separator: "||", omittingEmptySubsequences: false) {
            let words = alternative.split(separator: " ")
            guard !words.isEmpty else { throw VersionRangeError(text: text, reason: "an alternative after '||' is empty") }
            var all: [Comparator] = []
            for word in words {
                all += try Self.comparators(for: String(word), in: text)
            }
            alternatives.append(all)
        }
        self.init(alternatives: alternatives, description: trimmed)
    }

    /// True when `version` is in the range. Prereleases match only comparators that name a prerelease.
    public func contains(_ version: SemanticVersion) -> Bool {
        alternatives.contains { all in
            guard all.allSatisfy({ $0.admits(version) }) else { return false }
            if version.prerelease.isEmpty { return true }
            return all.contains { !$0.version.prerelease.isEmpty && $0.version.major == version.major
                && $0.version.minor == version.minor && $0.version.patch == version.patch }
        }
    }

    private static func comparators(for word: String, in text: String) throws(VersionRangeError) -> [Comparator] {
        if word == "*" || word == "x" || word == "X" { return [] }
        let ops: [(String, Comparator.Op?)] = [(">=", .ge), ("<=", .le), (">", .gt), ("<", .lt), ("=", .eq),
                                               ("^", nil), ("~", nil)]
        for (prefix, op) in ops where word.hasPrefix(prefix) {
            let rest = String(word.dropFirst(prefix.count))
            if let op {
                guard let v = SemanticVersion(rest) ?? partial(rest)?.lower else {
                    throw VersionRangeError(text: text, reason: "'\(rest)' after '\(prefix)' is not a version")
                }
                return [Comparator(op: op, version: v)]
            }
            guard let p = partial(rest) else {
                throw VersionRangeError(text: text, reason: "'\(rest)' after '\(prefix)' is not a version")
            }
            let upper: SemanticVersion
            if prefix == "^" {
                if p.lower.major > 0 || p.given == 1 { upper = SemanticVersion(p.lower.major + 1, 0, 0) }
                else if p.lower.minor > 0 || p.given == 2 { upper = SemanticVersion(0, p.lower.minor + 1, 0) }
                else { upper = SemanticVersion(0, 0, p.lower.patch + 1) }
            } else {
                upper = p.given == 1 ? SemanticVersion(p.lower.major + 1, 0, 0)
                                     : SemanticVersion(p.lower.major, p.lower.minor + 1, 0)
            }
            return [Comparator(op: .ge, version: p.lower), Comparator(op: .lt, version: upper)]
        }
        if let exact = SemanticVersion(word) { return [Comparator(op: .eq, version: exact)] }
        guard let p = partial(word) else {
            throw VersionRangeError(text: text, reason: "'\(word)' is not a version, '*', or a version with ^ ~ >= > <= < =")
        }
        let upper = p.given == 1 ? SemanticVersion(p.lower.major + 1, 0, 0)
                                 : SemanticVersion(p.lower.major, p.lower.minor + 1, 0)
        return [Comparator(op: .ge, version: p.lower), Comparator(op: .lt, version: upper)]
    }

    /// `1`, `1.2`, `1.x`, `1.2.x`, `1.2.3` → lower bound and how many numbers were given.
    private static func partial(_ text: String) -> (lower: SemanticVersion, given: Int)? {
        if let full = SemanticVersion(text) { return (full, 3) }
        var numbers: [Int] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            if part == "x" || part == "X" || part == "*" { break }
            guard !part.isEmpty, part.count <= 9, part.allSatisfy(\.isASCIIDigit), let n = Int(part) else { return nil }
            numbers.append(n)
        }
        guard (1...3).contains(numbers.count) else { return nil }
        while numbers.count < 3 { numbers.append(0) }
        let given = text.split(separator: ".").prefix { $0 != "x" && $0 != "X" && $0 != "*" }.count
        return (SemanticVersion(numbers[0], numbers[1], numbers[2]), given)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
