import GridCore
import Testing

@Suite("Expression errors")
struct ExpressionErrorTests {
    private func parseError(_ source: String) -> ExpressionError? {
        do {
            _ = try MatchExpression(parsing: source)
            return nil
        } catch {
            return error
        }
    }

    @Test("A parse error gives line, column, a caret under the spot and what was expected")
    func caretDisplay() throws {
        let error = try #require(parseError("max(cores, memory_gb"))
        #expect(error.line == 1)
        #expect(error.column == 21)
        #expect(error.message == "expected ')' after argument list, found the end of the expression")
        #expect(error.description == """
            line 1, column 21: expected ')' after argument list, found the end of the expression
              max(cores, memory_gb
                                  ^
            """)
        #expect(!error.isEvaluationError)
    }

    @Test("Positions count lines and characters on multi-line expressions")
    func multiLinePosition() throws {
        let source = "cores >= 4 &&\n  os == \"lïnux\" &&\n\tarch = \"x\""
        let error = try #require(parseError(source))
        #expect(error.line == 3)
        #expect(error.column == 7)
        #expect(error.caretDisplay == "  \tarch = \"x\"\n  \t     ^")
    }

    @Test("Columns count characters, not bytes")
    func columnsCountCharacters() throws {
        let error = try #require(parseError("\"é\" == @"))
        #expect(error.column == 8)
        #expect(error.message == "unexpected character '@' (U+40)")
    }

    @Test("An evaluation error names the expression, the attribute and the place on one line")
    func evaluationErrorSummary() throws {
        let expression = try MatchExpression(parsing: "cores >= 4 && os > 3")
        let error = try #require(throws: ExpressionError.self) {
            try expression.evaluate(ExpressionFixtures.context)
        }
        #expect(error.isEvaluationError)
        #expect(error.attribute == "os")
        #expect(error.line == 1 && error.column == 18)
        #expect(error.description == "expression `cores >= 4 && os > 3` failed at line 1, column 18 (attribute 'os'): "
            + "'>' cannot compare attribute 'os' (a string) with an integer.")
        #expect(!error.description.contains("\n"))
    }

    @Test("A long expression is shortened in the one-line summary")
    func summaryShortensLongSources() throws {
        let source = "os > 3 && " + Array(repeating: "cores > 1", count: 20).joined(separator: " && ")
        let error = try #require(throws: ExpressionError.self) {
            try MatchExpression(parsing: source).evaluate(ExpressionFixtures.context)
        }
        #expect(error.summary.contains("`os > 3 && cores > 1"))
        #expect(error.summary.contains("...`"))
    }

    @Test("Error codes are distinct and have readable descriptions")
    func codes() {
        let codes: [ExpressionError.Code] = [.syntax, .tooLong, .tooDeep, .unknownFunction, .badArguments,
                                             .invalidRange, .typeMismatch, .divisionByZero, .overflow,
                                             .invalidVersion, .wrongResultType]
        #expect(Set(codes).count == codes.count)
        #expect(Set(codes.map(\.description)).count == codes.count)
    }

    @Test("An expression longer than the limit is rejected before parsing")
    func tooLong() throws {
        let source = String(repeating: "1 + ", count: 1100) + "1"
        let error = try #require(parseError(source))
        #expect(error.code == .tooLong)
        #expect(error.message == "the expression is \(source.utf8.count) bytes long; the limit is 4096")
        // The caret display shows only the part of the long line around the spot.
        let display = error.caretDisplay.split(separator: "\n")
        #expect(display.count == 2 && display[0].count <= 108)
        #expect(display[0].hasPrefix("  ...") && display[0].hasSuffix("..."))
        #expect(display[1].count == 2 + 3 + 50 + 1)
    }

    @Test("Deep nesting of any kind is an error, not a stack overflow",
          arguments: [
              String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100),
              String(repeating: "(", count: 4000),
              String(repeating: "!", count: 4000) + "true",
              String(repeating: "-", count: 4000) + "1",
              String(repeating: "[", count: 2000),
              String(repeating: "min(", count: 1000),
              Array(repeating: "cores", count: 100).joined(separator: " + "),
              Array(repeating: "load", count: 100).joined(separator: " * "),
          ])
    func tooDeep(_ source: String) throws {
        let error = try #require(parseError(source))
        #expect(error.code == .tooDeep)
        #expect(error.message == "the expression is nested more than 64 levels deep")
    }

    @Test("Nesting up to the limit is accepted, and long && / || chains do not count as nesting")
    func nestingWithinLimit() throws {
        let parens = String(repeating: "(", count: 60) + "cores" + String(repeating: ")", count: 60)
        #expect(try MatchExpression(parsing: parens).evaluate(ExpressionFixtures.context) == .int(8))
        let chain = Array(repeating: "cores > 1", count: 300).joined(separator: " && ")
        #expect(try MatchExpression(parsing: chain).evaluate(ExpressionFixtures.context) == .bool(true))
        let alternatives = Array(repeating: "cores > 100", count: 250).joined(separator: " || ")
        #expect(try MatchExpression(parsing: alternatives).evaluate(ExpressionFixtures.context) == .bool(false))
    }
}
