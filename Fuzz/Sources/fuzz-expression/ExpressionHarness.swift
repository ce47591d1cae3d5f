import FuzzSupport
import GridCore

/// Fuzzes the expression language: parsing any text, then evaluating what parses against a worker and a job
/// (matching, ranking). Errors are fine; crashes, hangs and traps are not. An expression's source must parse again.
enum ExpressionHarness {
    static let worker = Attributes([
        "cores": .int(8), "memory_gb": .decimal(15.5), "os": .string("linux"), "arch": .string("x86_64"),
        "load": .decimal(0.25), "slots_free": .int(2), "labels.zone": .string("eu"), "labels.gpu": .string("a100"),
        "plugin.name": .string("hash"), "plugin.author": .string("unsigned"),
    ])
    static let job = Attributes([
        "capability": .string("hash.sha256"), "max_credits": .int(Int.max), "labels.zone": .string("eu"),
        "limits": .list([.int(Int.min), .decimal(-0.0), .string(""), .bool(true), .list([]), .undefined]),
    ])
    static let requirementContext = Attributes.requirementContext(worker: worker, job: job, submitter: "ab12")
    static let acceptContext = Attributes.acceptContext(worker: worker, job: job, submitter: "ab12")

    static func run(_ bytes: [UInt8]) {
        let source = String(decoding: bytes, as: UTF8.self)
        guard let expression = try? MatchExpression(parsing: source) else { return }
        fuzzCheck((try? MatchExpression(parsing: expression.source)) != nil, "an expression's source does not parse")
        _ = expression.attributePaths
        for context in [requirementContext, acceptContext, Attributes()] {
            _ = try? expression.evaluate(context)
            _ = expression.match(context)
            _ = expression.rank(context)
        }
    }

    static func seeds() -> [String: [UInt8]] {
        [
            "requirements": utf8(#"memory_gb >= 4 && labels.gpu in ["a100", "h100"]"#),
            "rank": utf8("-load"),
            "accept": utf8(#"job.max_credits >= 5 && submitter in ["5f1c", "a9e2"]"#),
            "functions": utf8(#"has(labels) && starts_with(os, "li") && contains([1, 2.5, "x"], 2.5) "#
                              + #"&& max(cores, 2) > min([1, 2, 3]) && semver("^1.2 || 2.x", "1.4.0")"#),
            "arithmetic": utf8("(cores * 2 + 1) / 3 % 2 - -1 >= 9223372036854775807 # comment\n || !false"),
            "strings": utf8(#""a\"b\\c\n\t" != worker.os && undefined == undefined"#),
            "lists": utf8("[[], [1,], [[[2]]]] == job.limits"),
            "decimals": utf8("1e308 * 10 > 2.5E-1"),
        ]
    }
}
