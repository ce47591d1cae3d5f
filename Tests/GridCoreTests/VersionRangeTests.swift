import Testing
@testable import GridCore

@Suite("VersionRange")
struct VersionRangeTests {
    /// A range, the versions it must contain and the versions it must not.
    struct Case: Sendable, CustomTestStringConvertible {
        var range: String
        var inside: [String]
        var outside: [String]
        var testDescription: String { "'\(range)'" }
    }

    static let cases: [Case] = [
        Case(range: "*", inside: ["0.0.0", "1.2.3", "99.0.0"], outside: ["1.0.0-beta"]),
        Case(range: "x", inside: ["0.0.1", "7.7.7"], outside: []),
        Case(range: "X", inside: ["0.0.1", "7.7.7"], outside: []),
        Case(range: "1.2.3", inside: ["1.2.3"], outside: ["1.2.4", "1.2.2", "1.3.0", "1.2.3-rc.1"]),
        Case(range: "=1.2.3", inside: ["1.2.3"], outside: ["1.2.4", "1.2.2"]),
        Case(range: "^1.2", inside: ["1.2.0", "1.9.9", "1.20.0"], outside: ["1.1.9", "2.0.0", "2.0.0-rc.1", "0.9.0"]),
        Case(range: "^1.2.3", inside: ["1.2.3", "1.99.0"], outside: ["1.2.2", "2.0.0"]),
        Case(range: "^1", inside: ["1.0.0", "1.5.0"], outside: ["0.9.9", "2.0.0"]),
        Case(range: "^1.x", inside: ["1.0.0", "1.5.0"], outside: ["2.0.0"]),
        Case(range: "^0.2.3", inside: ["0.2.3", "0.2.99"], outside: ["0.2.2", "0.3.0", "1.0.0"]),
        Case(range: "^0.0.3", inside: ["0.0.3"], outside: ["0.0.4", "0.0.2", "0.1.0"]),
        Case(range: "^0", inside: ["0.0.0", "0.9.9"], outside: ["1.0.0"]),
        Case(range: "^0.0", inside: ["0.0.0", "0.0.9"], outside: ["0.1.0"]),
        Case(range: "^0.2", inside: ["0.2.0", "0.2.9"], outside: ["0.3.0", "0.1.9"]),
        Case(range: "~1.2.3", inside: ["1.2.3", "1.2.99"], outside: ["1.2.2", "1.3.0"]),
        Case(range: "~1.2", inside: ["1.2.0", "1.2.9"], outside: ["1.3.0", "1.1.0"]),
        Case(range: "~1", inside: ["1.0.0", "1.9.0"], outside: ["2.0.0", "0.9.0"]),
        Case(range: "~0.2.3", inside: ["0.2.3", "0.2.9"], outside: ["0.3.0"]),
        Case(range: ">=1.0.0 <2.0.0", inside: ["1.0.0", "1.9.9"], outside: ["0.9.9", "2.0.0"]),
        Case(range: ">1.0.0 <=2.0.0", inside: ["1.0.1", "2.0.0"], outside: ["1.0.0", "2.0.1"]),
        Case(range: ">=1.2", inside: ["1.2.0", "5.0.0"], outside: ["1.1.9"]),
        Case(range: "<1", inside: ["0.9.9"], outside: ["1.0.0"]),
        Case(range: "1.x", inside: ["1.0.0", "1.9.9"], outside: ["0.9.9", "2.0.0"]),
        Case(range: "1.2.x", inside: ["1.2.0", "1.2.9"], outside: ["1.3.0", "1.1.9"]),
        Case(range: "1.2.*", inside: ["1.2.0", "1.2.9"], outside: ["1.3.0"]),
        Case(range: "1", inside: ["1.0.0", "1.9.0"], outside: ["2.0.0"]),
        Case(range: "1.2", inside: ["1.2.0", "1.2.7"], outside: ["1.3.0"]),
        Case(range: "1.0.0 || 2.x", inside: ["1.0.0", "2.0.0", "2.5.1"], outside: ["1.0.1", "3.0.0"]),
        Case(range: "1.0.0||3.0.0", inside: ["1.0.0", "3.0.0"], outside: ["2.0.0"]),
        Case(range: "^1.0 || ^3.0 || 5.0.0", inside: ["1.1.0", "3.2.0", "5.0.0"], outside: ["2.0.0", "4.0.0", "5.0.1"]),
        Case(range: "  ^1.0  ", inside: ["1.0.0"], outside: ["2.0.0"]),
        Case(range: "^1.0   <1.5.0", inside: ["1.4.9"], outside: ["1.5.0"]),
        Case(range: ">=1.0.0-beta", inside: ["1.0.0-beta", "1.0.0-beta.2", "1.0.0-rc.1", "1.0.0", "1.2.0"],
             outside: ["1.0.0-alpha", "1.0.1-alpha", "0.9.0"]),
        Case(range: "^1.2.3-beta.2", inside: ["1.2.3-beta.2", "1.2.3-beta.3", "1.2.3", "1.9.0"],
             outside: ["1.2.3-beta.1", "1.2.4-beta.1", "2.0.0"]),
    ]

    @Test("admits exactly the expected versions", arguments: cases)
    func contains(_ c: Case) throws {
        let range = try VersionRange(parsing: c.range)
        for text in c.inside {
            let version = try #require(SemanticVersion(text))
            #expect(range.contains(version), "\(c.range) should contain \(text)")
        }
        for text in c.outside {
            let version = try #require(SemanticVersion(text))
            #expect(!range.contains(version), "\(c.range) should not contain \(text)")
        }
    }

    @Test("any contains every release")
    func anyRange() {
        #expect(VersionRange.any.contains(SemanticVersion(0, 0, 0)))
        #expect(VersionRange.any.contains(SemanticVersion(123, 4, 5)))
        #expect(!VersionRange.any.contains(SemanticVersion(1, 0, 0, prerelease: ["rc"])))
        #expect(VersionRange.any.description == "*")
    }

    @Test("description is the trimmed text")
    func description() throws {
        #expect(try VersionRange(parsing: "  >=1.0.0 <2.0.0 ").description == ">=1.0.0 <2.0.0")
        #expect(try VersionRange(parsing: "^1.2").description == "^1.2")
    }

    @Test("equal text gives equal ranges")
    func hashable() throws {
        #expect(try VersionRange(parsing: "^1.2") == VersionRange(parsing: "^1.2"))
        #expect(try VersionRange(parsing: "^1.2") != VersionRange(parsing: "^1.3"))
    }

    /// Bad range text and a fragment its error's reason must contain.
    static let bad: [(String, String)] = [
        ("", "empty"),
        ("   ", "empty"),
        ("1.0.0 ||", "alternative after '||' is empty"),
        ("|| 1.0.0", "alternative after '||' is empty"),
        ("1.0.0 || || 2.0.0", "alternative after '||' is empty"),
        ("^abc", "'abc' after '^' is not a version"),
        ("^", "'' after '^' is not a version"),
        ("~1.2.3.4", "'1.2.3.4' after '~' is not a version"),
        (">=", "'' after '>=' is not a version"),
        (">=banana", "'banana' after '>=' is not a version"),
        ("<1.", "'1.' after '<' is not a version"),
        ("=1..2", "'1..2' after '=' is not a version"),
        ("banana", "'banana' is not a version"),
        ("1.2.3.4", "'1.2.3.4' is not a version"),
        ("1.0.0 && 2.0.0", "'&&' is not a version"),
    ]

    @Test("bad text throws an error naming the text and the problem", arguments: bad)
    func rejects(text: String, fragment: String) {
        do {
            let range = try VersionRange(parsing: text)
            Issue.record("'\(text)' parsed as \(range)")
        } catch {
            #expect(error.text == text)
            #expect(error.reason.contains(fragment), "reason was: \(error.reason)")
            #expect(error.description.hasPrefix("'\(text)' is not a version range: "))
            #expect(error.description.hasSuffix("."))
        }
    }
}
