import GridCore
import Testing

/// One row of the table: an expression, and either the value it evaluates to (written as a literal) or the error.
struct ExpressionCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        case value(String)
        case error(ExpressionError.Code, String)
    }

    let source: String
    let expected: Expected

    init(_ source: String, _ literal: String) {
        self.source = source
        self.expected = .value(literal)
    }

    init(_ source: String, error code: ExpressionError.Code, _ message: String) {
        self.source = source
        self.expected = .error(code, message)
    }

    var testDescription: String { source }
}

/// The table of expressions, evaluated against `ExpressionFixtures.context`.
enum ExpressionTable {
    static let literals: [ExpressionCase] = [
        ExpressionCase("42", "42"),
        ExpressionCase("0", "0"),
        ExpressionCase("4.5", "4.5"),
        ExpressionCase("1e3", "1000.0"),
        ExpressionCase("2.5E-1", "0.25"),
        ExpressionCase("\"a100\"", "\"a100\""),
        ExpressionCase("\"\"", "\"\""),
        ExpressionCase("true", "true"),
        ExpressionCase("false", "false"),
        ExpressionCase("undefined", "undefined"),
        ExpressionCase("[1, 2, 3]", "[1, 2, 3]"),
        ExpressionCase("[]", "[]"),
        ExpressionCase("[1, [2, \"x\"], true]", "[1, [2, \"x\"], true]"),
        ExpressionCase("[1, 2,]", "[1, 2]"),
        ExpressionCase("[cores, memory_gb]", "[8, 16]"),
        ExpressionCase("[missing]", "[undefined]"),
        ExpressionCase("(((7)))", "7"),
        ExpressionCase("cores # the number of cores\n > 4", "true"),
        ExpressionCase("  cores\t>=\r\n8 ", "true"),
    ]

    static let attributes: [ExpressionCase] = [
        ExpressionCase("cores", "8"),
        ExpressionCase("memory_gb", "16"),
        ExpressionCase("load", "0.25"),
        ExpressionCase("os", "\"linux\""),
        ExpressionCase("labels.gpu", "\"a100\""),
        ExpressionCase("worker.cores", "8"),
        ExpressionCase("worker.labels.gpu", "\"a100\""),
        ExpressionCase("job.max_credits", "10"),
        ExpressionCase("job.capability", "\"hash.blake2b\""),
        ExpressionCase("job.labels.team", "\"ml\""),
        ExpressionCase("submitter", "\"ab12cd34\""),
        ExpressionCase("missing", "undefined"),
        ExpressionCase("labels.missing", "undefined"),
        ExpressionCase("worker.missing", "undefined"),
        ExpressionCase("job.cores", "undefined"),
        ExpressionCase("labels", "undefined"),
        ExpressionCase("tags", "[\"fast\", \"ssd\"]"),
        ExpressionCase("a.b.c.d", "undefined"),
    ]

    static let arithmetic: [ExpressionCase] = [
        ExpressionCase("1 + 2", "3"),
        ExpressionCase("cores + 1", "9"),
        ExpressionCase("cores - 10", "-2"),
        ExpressionCase("cores * 2", "16"),
        ExpressionCase("cores / 2", "4.0"),
        ExpressionCase("7 / 2", "3.5"),
        ExpressionCase("7 % 3", "1"),
        ExpressionCase("-7 % 3", "-1"),
        ExpressionCase("7.5 % 2", "1.5"),
        ExpressionCase("load * 4", "1.0"),
        ExpressionCase("cores + load", "8.25"),
        ExpressionCase("1 + 2 * 3", "7"),
        ExpressionCase("(1 + 2) * 3", "9"),
        ExpressionCase("10 - 4 - 3", "3"),
        ExpressionCase("2 * 3 % 4", "2"),
        ExpressionCase("-load", "-0.25"),
        ExpressionCase("-cores", "-8"),
        ExpressionCase("--cores", "8"),
        ExpressionCase("-(1 + 2)", "-3"),
        ExpressionCase("2.5 - 0.5", "2.0"),
        ExpressionCase("missing + 1", "undefined"),
        ExpressionCase("1 - missing", "undefined"),
        ExpressionCase("-missing", "undefined"),
        ExpressionCase("missing * missing", "undefined"),
        ExpressionCase("missing / 0", "undefined"),
        ExpressionCase("cores % missing", "undefined"),
    ]

    static let comparisons: [ExpressionCase] = [
        ExpressionCase("cores == 8", "true"),
        ExpressionCase("cores != 8", "false"),
        ExpressionCase("cores < 9", "true"),
        ExpressionCase("cores <= 8", "true"),
        ExpressionCase("cores > 8", "false"),
        ExpressionCase("cores >= 8", "true"),
        ExpressionCase("load < 1", "true"),
        ExpressionCase("8 == 8.0", "true"),
        ExpressionCase("memory_gb >= 4", "true"),
        ExpressionCase("os == \"linux\"", "true"),
        ExpressionCase("os != \"windows\"", "true"),
        ExpressionCase("os < \"mac\"", "true"),
        ExpressionCase("\"b\" >= \"a\"", "true"),
        ExpressionCase("\"Linux\" == os", "false"),
        ExpressionCase("enabled == true", "true"),
        ExpressionCase("enabled != false", "true"),
        ExpressionCase("tags == [\"fast\", \"ssd\"]", "true"),
        ExpressionCase("[1, 2] == [1.0, 2]", "true"),
        ExpressionCase("[1] != [2]", "true"),
        ExpressionCase("[1, \"a\"] == [1, 2]", "false"),
        ExpressionCase("missing == 1", "undefined"),
        ExpressionCase("1 == missing", "undefined"),
        ExpressionCase("missing != missing", "undefined"),
        ExpressionCase("undefined == undefined", "undefined"),
        ExpressionCase("missing < \"a\"", "undefined"),
        ExpressionCase("job.max_credits >= 5", "true"),
    ]

    static let logic: [ExpressionCase] = [
        ExpressionCase("true && true", "true"),
        ExpressionCase("true && false", "false"),
        ExpressionCase("false || true", "true"),
        ExpressionCase("false || false", "false"),
        ExpressionCase("!true", "false"),
        ExpressionCase("!!true", "true"),
        ExpressionCase("!enabled", "false"),
        ExpressionCase("!missing", "undefined"),
        ExpressionCase("undefined && false", "false"),
        ExpressionCase("false && undefined", "false"),
        ExpressionCase("undefined && true", "undefined"),
        ExpressionCase("true && undefined", "undefined"),
        ExpressionCase("undefined && undefined", "undefined"),
        ExpressionCase("undefined || true", "true"),
        ExpressionCase("true || undefined", "true"),
        ExpressionCase("undefined || false", "undefined"),
        ExpressionCase("false || undefined", "undefined"),
        ExpressionCase("undefined || undefined", "undefined"),
        ExpressionCase("missing > 4 && cores > 100", "false"),
        ExpressionCase("missing > 4 || cores > 4", "true"),
        ExpressionCase("missing > 4 && cores > 4", "undefined"),
        ExpressionCase("false && os > 1", "false"),
        ExpressionCase("true || os + 1 > 0", "true"),
        ExpressionCase("cores > 100 && os * 2 > 1", "false"),
        ExpressionCase("true || false && false", "true"),
        ExpressionCase("(true || false) && false", "false"),
        ExpressionCase("!false && false", "false"),
        ExpressionCase("!(cores > 4)", "false"),
        ExpressionCase("cores > 1 && memory_gb > 1 && load < 1 && os == \"linux\"", "true"),
        ExpressionCase("cores > 100 || memory_gb > 100 || load > 100 || arch == \"x86_64\"", "true"),
    ]

    static let membership: [ExpressionCase] = [
        ExpressionCase("labels.gpu in [\"a100\", \"h100\"]", "true"),
        ExpressionCase("\"v100\" in [\"a100\"]", "false"),
        ExpressionCase("8 in [cores]", "true"),
        ExpressionCase("8.0 in [1, 8]", "true"),
        ExpressionCase("missing in [1]", "undefined"),
        ExpressionCase("1 in missing", "undefined"),
        ExpressionCase("\"fast\" in tags", "true"),
        ExpressionCase("\"x\" in []", "false"),
        ExpressionCase("[1] in [[1], [2]]", "true"),
        ExpressionCase("5 in [\"a\", 5]", "true"),
        ExpressionCase("!(os in [\"windows\"])", "true"),
        ExpressionCase("cores + 1 in [9]", "true"),
        ExpressionCase("memory_gb >= 4 && labels.gpu in [\"a100\", \"h100\"]", "true"),
    ]

    static let functions: [ExpressionCase] = [
        ExpressionCase("has(cores)", "true"),
        ExpressionCase("has(missing)", "false"),
        ExpressionCase("has(labels)", "true"),
        ExpressionCase("has(labels.gpu)", "true"),
        ExpressionCase("has(labels.tpu)", "false"),
        ExpressionCase("has(worker.cores)", "true"),
        ExpressionCase("has(worker.labels)", "true"),
        ExpressionCase("has(job)", "true"),
        ExpressionCase("has(job.labels.team)", "true"),
        ExpressionCase("has(job.cores)", "false"),
        ExpressionCase("has(submitter)", "true"),
        ExpressionCase("!has(labels.tpu) || labels.tpu == \"v5\"", "true"),
        ExpressionCase("starts_with(os, \"lin\")", "true"),
        ExpressionCase("starts_with(os, \"win\")", "false"),
        ExpressionCase("starts_with(os, \"\")", "true"),
        ExpressionCase("starts_with(missing, \"a\")", "undefined"),
        ExpressionCase("starts_with(\"abc\", missing)", "undefined"),
        ExpressionCase("contains(os, \"nu\")", "true"),
        ExpressionCase("contains(os, \"xyz\")", "false"),
        ExpressionCase("contains(tags, \"ssd\")", "true"),
        ExpressionCase("contains(tags, \"hdd\")", "false"),
        ExpressionCase("contains(missing, \"a\")", "undefined"),
        ExpressionCase("contains(empty, \"\")", "true"),
        ExpressionCase("contains(\"héllo wörld\", \"ö\")", "true"),
        ExpressionCase("contains([1, 2], 2.0)", "true"),
        ExpressionCase("min(3, 1, 2)", "1"),
        ExpressionCase("max(3, 1, 2)", "3"),
        ExpressionCase("max(cores, memory_gb)", "16"),
        ExpressionCase("min(load, 1)", "0.25"),
        ExpressionCase("min(1, 1.5)", "1"),
        ExpressionCase("max(1, 1.5)", "1.5"),
        ExpressionCase("min([4, 2, 9])", "2"),
        ExpressionCase("max([])", "undefined"),
        ExpressionCase("min(7)", "7"),
        ExpressionCase("max(cores, missing)", "undefined"),
        ExpressionCase("min(missing)", "undefined"),
        ExpressionCase("min([1, missing])", "undefined"),
        ExpressionCase("max(slots_free, 1) * 2", "4"),
        ExpressionCase("semver(\"^1.2\", plugin_version)", "true"),
        ExpressionCase("semver(\">=2.0.0\", plugin_version)", "false"),
        ExpressionCase("semver(\"1.x\", \"1.9.0\")", "true"),
        ExpressionCase("semver(\"^1.0.0\", missing)", "undefined"),
        ExpressionCase("semver(plugin_range, plugin_version)", "true"),
        ExpressionCase("semver(missing, \"1.0.0\")", "undefined"),
        ExpressionCase("semver(plugin_range, missing)", "undefined"),
    ]

    static let syntaxErrors: [ExpressionCase] = [
        ExpressionCase("", error: .syntax, "the expression is empty"),
        ExpressionCase("   \n ", error: .syntax, "the expression is empty"),
        ExpressionCase("# only a comment", error: .syntax, "the expression is empty"),
        ExpressionCase("cores >", error: .syntax, "expected an expression, found the end of the expression"),
        ExpressionCase("(cores > 4", error: .syntax, "expected ')' to close the '(' at column 1"),
        ExpressionCase("max(1, 2", error: .syntax, "expected ')' after argument list"),
        ExpressionCase("max(1 2)", error: .syntax, "expected ')' after argument list, found number 2"),
        ExpressionCase("[1, 2", error: .syntax, "expected ']' after list elements"),
        ExpressionCase("cores 4", error: .syntax, "expected an operator or the end of the expression, found number 4"),
        ExpressionCase("cores = 4", error: .syntax, "'=' is not an operator; use '==' to compare"),
        ExpressionCase("enabled & true", error: .syntax, "expected '&&', found a single '&'"),
        ExpressionCase("enabled | true", error: .syntax, "expected '||', found a single '|'"),
        ExpressionCase("os == 'linux'", error: .syntax, "strings are written in double quotes"),
        ExpressionCase("os == \"linux", error: .syntax, "unterminated string; expected a closing '\"'"),
        ExpressionCase("os == \"li\nnux\"", error: .syntax, "unterminated string"),
        ExpressionCase("\"a\\qb\"", error: .syntax, "unknown escape in string"),
        ExpressionCase("cores @ 4", error: .syntax, "unexpected character '@' (U+40)"),
        ExpressionCase("cores\u{7}", error: .syntax, "unexpected character U+7"),
        ExpressionCase("99999999999999999999", error: .syntax, "the integer 99999999999999999999 is too large"),
        ExpressionCase("1.", error: .syntax, "expected digits after the decimal point"),
        ExpressionCase("1e", error: .syntax, "expected digits in the exponent"),
        ExpressionCase("1e999", error: .syntax, "the number 1e999 is too large"),
        ExpressionCase("memory_gb >= 4gb", error: .syntax, "expected an operator after the number, found a letter"),
        ExpressionCase("labels.", error: .syntax, "expected an attribute name after '.', found the end"),
        ExpressionCase("labels.in", error: .syntax, "expected an attribute name after '.', found 'in'"),
        ExpressionCase("labels.gpu(1)", error: .syntax, "only functions can be called; 'labels.gpu' is not a function"),
        ExpressionCase("1 < 2 < 3", error: .syntax, "comparisons cannot be chained; join them with '&&'"),
        ExpressionCase("cores > 1 in [true]", error: .syntax, "comparisons cannot be chained"),
        ExpressionCase("in", error: .syntax, "expected an expression, found 'in'"),
        ExpressionCase(")", error: .syntax, "expected an expression, found ')'"),
        ExpressionCase("cores > 4)", error: .syntax, "expected an operator or the end of the expression, found ')'"),
        ExpressionCase("[1,,2]", error: .syntax, "expected an expression, found ','"),
        ExpressionCase("foo(1)", error: .unknownFunction,
                       "unknown function 'foo'; the functions are has, starts_with, contains, min, max, semver"),
        ExpressionCase("has(1)", error: .badArguments, "has() takes an attribute path, such as has(labels.gpu)"),
        ExpressionCase("has(cores > 1)", error: .syntax, "expected ')' after argument list, found '>'"),
        ExpressionCase("min()", error: .badArguments, "min() takes at least 1 argument, found 0"),
        ExpressionCase("starts_with(os)", error: .badArguments, "starts_with() takes 2 arguments, found 1"),
        ExpressionCase("semver(\"^x\", plugin_version)", error: .invalidRange,
                       "semver() got an invalid range: '^x' is not a version range"),
    ]

    /// Constant subexpressions are evaluated at compile time, so their errors surface from `init(parsing:)`.
    static let constantErrors: [ExpressionCase] = [
        ExpressionCase("1 + \"a\"", error: .typeMismatch, "'+' needs numbers, found an integer and a string"),
        ExpressionCase("1 / 0", error: .divisionByZero, "division by zero"),
        ExpressionCase("1.5 / 0.0", error: .divisionByZero, "division by zero"),
        ExpressionCase("5 % 0", error: .divisionByZero, "remainder of a division by zero"),
        ExpressionCase("9223372036854775807 + 1", error: .overflow, "integer overflow in '+'"),
        ExpressionCase("1e308 * 10", error: .overflow, "the result of '*' is too large to represent"),
        ExpressionCase("-\"a\"", error: .typeMismatch, "'-' needs a number, found a string"),
        ExpressionCase("!1", error: .typeMismatch, "'!' needs a boolean, found an integer"),
        ExpressionCase("1 in 2", error: .typeMismatch, "'in' needs a list on its right, found an integer"),
        ExpressionCase("true < false", error: .typeMismatch, "'<' cannot order a boolean and a boolean"),
        ExpressionCase("1 == \"1\"", error: .typeMismatch, "'==' cannot compare an integer with a string"),
        ExpressionCase("1 && true", error: .typeMismatch, "'&&' needs booleans, found an integer"),
        ExpressionCase("false || 2", error: .typeMismatch, "'||' needs booleans, found an integer"),
        ExpressionCase("semver(\"^1.0.0\", \"one\")", error: .invalidVersion,
                       "semver() needs a version such as 1.2.3, but the version is \"one\""),
        ExpressionCase("semver(1, plugin_version)", error: .typeMismatch,
                       "semver() needs a version range string first, found an integer"),
        ExpressionCase("semver(\"^1\", 2)", error: .typeMismatch, "semver() needs a version string second"),
        ExpressionCase("min(\"a\")", error: .typeMismatch, "min() needs numbers, found a string"),
        ExpressionCase("starts_with(1, \"a\")", error: .typeMismatch, "starts_with() needs two strings"),
        ExpressionCase("contains(1, 2)", error: .typeMismatch, "contains() needs a string and a string"),
    ]

    /// Errors that depend on the attributes, so they surface from `evaluate`.
    static let evaluationErrors: [ExpressionCase] = [
        ExpressionCase("os > 4", error: .typeMismatch, "'>' cannot compare attribute 'os' (a string) with an integer"),
        ExpressionCase("cores + os", error: .typeMismatch,
                       "'+' needs numbers, found attribute 'cores' (an integer) and attribute 'os' (a string)"),
        ExpressionCase("-os", error: .typeMismatch, "'-' needs a number, found attribute 'os' (a string)"),
        ExpressionCase("!cores", error: .typeMismatch, "'!' needs a boolean, found attribute 'cores' (an integer)"),
        ExpressionCase("cores && true", error: .typeMismatch, "'&&' needs booleans, found attribute 'cores'"),
        ExpressionCase("false || os", error: .typeMismatch, "'||' needs booleans, found attribute 'os' (a string)"),
        ExpressionCase("undefined && load", error: .typeMismatch, "'&&' needs booleans, found attribute 'load'"),
        ExpressionCase("\"linux\" in os", error: .typeMismatch,
                       "'in' needs a list on its right, found attribute 'os' (a string); use contains()"),
        ExpressionCase("big + 1", error: .overflow, "integer overflow in '+'"),
        ExpressionCase("big * cores", error: .overflow, "integer overflow in '*'"),
        ExpressionCase("-big - 2", error: .overflow, "integer overflow in '-'"),
        ExpressionCase("cores / (cores - 8)", error: .divisionByZero, "division by zero"),
        ExpressionCase("cores % (cores - 8)", error: .divisionByZero, "remainder of a division by zero"),
        ExpressionCase("semver(\"^1.0.0\", bad_version)", error: .invalidVersion,
                       "semver() needs a version such as 1.2.3, but attribute 'bad_version' is \"one\""),
        ExpressionCase("semver(os, plugin_version)", error: .invalidRange,
                       "semver() got an invalid range: 'linux' is not a version range"),
        ExpressionCase("semver(\"^1\", cores)", error: .typeMismatch,
                       "semver() needs a version string second, found attribute 'cores' (an integer)"),
        ExpressionCase("contains(cores, 1)", error: .typeMismatch, "found attribute 'cores' (an integer)"),
        ExpressionCase("starts_with(os, cores)", error: .typeMismatch, "starts_with() needs two strings"),
        ExpressionCase("max(os, 1)", error: .typeMismatch, "max() needs numbers, found attribute 'os' (a string)"),
        ExpressionCase("min(tags)", error: .typeMismatch,
                       "min() needs numbers, found a string in attribute 'tags' (a list)"),
        ExpressionCase("enabled < true", error: .typeMismatch,
                       "'<' cannot order attribute 'enabled' (a boolean) and a boolean"),
        ExpressionCase("tags > [1]", error: .typeMismatch, "only numbers and strings have an order"),
        ExpressionCase("os == 1", error: .typeMismatch,
                       "'==' cannot compare attribute 'os' (a string) with an integer"),
        ExpressionCase("job.capability != 3", error: .typeMismatch, "attribute 'job.capability' (a string)"),
    ]

    static let all: [ExpressionCase] = literals + attributes + arithmetic + comparisons + logic + membership
        + functions + syntaxErrors + constantErrors + evaluationErrors
}

@Suite("Expression table")
struct ExpressionTableTests {
    @Test("The table has at least 150 cases")
    func tableIsLargeEnough() {
        #expect(ExpressionTable.all.count >= 150)
    }

    @Test("Each expression evaluates to its expected value or error", arguments: ExpressionTable.all)
    func evaluates(_ row: ExpressionCase) throws {
        let outcome: Result<Value, ExpressionError> = Result { () throws(ExpressionError) -> Value in
            try MatchExpression(parsing: row.source).evaluate(ExpressionFixtures.context)
        }
        switch (row.expected, outcome) {
        case (.value(let literal), .success(let value)):
            #expect(value == (try ExpressionFixtures.literal(literal)))
        case (.value, .failure(let error)):
            Issue.record("expected a value, got error: \(error)")
        case (.error(let code, let message), .failure(let error)):
            #expect(error.code == code)
            #expect(error.message.contains(message), "message was: \(error.message)")
        case (.error, .success(let value)):
            Issue.record("expected an error, got \(value)")
        }
    }

    @Test("Attribute-dependent errors surface at evaluation, constant ones at parsing")
    func errorsSurfaceAtTheRightTime() throws {
        for row in ExpressionTable.evaluationErrors {
            let expression = try MatchExpression(parsing: row.source)
            #expect(throws: ExpressionError.self) { try expression.evaluate(ExpressionFixtures.context) }
        }
        for row in ExpressionTable.constantErrors + ExpressionTable.syntaxErrors {
            #expect(throws: ExpressionError.self, "\(row.source)") { try MatchExpression(parsing: row.source) }
        }
    }
}
