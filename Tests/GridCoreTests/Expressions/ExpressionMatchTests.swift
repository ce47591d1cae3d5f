import Foundation
import GridCore
import Testing

@Suite("Requirements and ranks")
struct ExpressionMatchTests {
    private let context = ExpressionFixtures.context

    @Test("A true requirement matches; false, undefined and failures do not")
    func matchOutcomes() throws {
        #expect(try MatchExpression(parsing: "cores >= 4").match(context) == .matched)
        #expect(try MatchExpression(parsing: "cores >= 64").match(context) == .rejected)
        #expect(try MatchExpression(parsing: "labels.tpu == \"v5\"").match(context) == .undefined)
        #expect(try MatchExpression(parsing: "cores >= 4").matches(context))
        #expect(try !MatchExpression(parsing: "cores >= 64").matches(context))
        #expect(try !MatchExpression(parsing: "labels.tpu == \"v5\"").matches(context))
        #expect(try !MatchExpression(parsing: "os > 4").matches(context))
    }

    @Test("A failing requirement reports why, for grid explain")
    func failureReason() throws {
        let result = try MatchExpression(parsing: "os > 4").match(context)
        guard case .failed(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.attribute == "os")
        #expect(result.reason == error.summary)
        #expect(MatchResult.matched.reason == nil)
        #expect(MatchResult.undefined.reason?.contains("undefined") == true)
        #expect(MatchResult.rejected.reason == "the expression is false")
    }

    @Test("A requirement that is not a boolean fails with a clear reason")
    func nonBooleanRequirement() throws {
        let result = try MatchExpression(parsing: "cores").match(context)
        guard case .failed(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.code == .wrongResultType)
        #expect(error.message == "a requirement must be true or false, but this one is an integer")
    }

    @Test("Ranks are numbers; booleans count 1 and 0; undefined ranks last (nil)")
    func ranks() throws {
        #expect(try MatchExpression(parsing: "-load").rank(context) == -0.25)
        #expect(try MatchExpression(parsing: "memory_gb * 2").rank(context) == 32)
        #expect(try MatchExpression(parsing: "labels.gpu == \"a100\"").rank(context) == 1)
        #expect(try MatchExpression(parsing: "os == \"windows\"").rank(context) == 0)
        #expect(try MatchExpression(parsing: "missing * 2").rank(context) == nil)
        #expect(try MatchExpression(parsing: "os").rank(context) == nil)
        let error = try #require(throws: ExpressionError.self) {
            try MatchExpression(parsing: "os").evaluateRank(context)
        }
        #expect(error.code == .wrongResultType)
        #expect(error.message == "a rank must be a number, but this one is a string")
    }

    @Test("Ranking several workers puts undefined last")
    func rankOrdering() throws {
        let rank = try MatchExpression(parsing: "memory_gb - load")
        let workers: [Attributes] = [["memory_gb": 8, "load": 1], ["load": 0.5], ["memory_gb": 32, "load": 2.5]]
        let score = workers.map { rank.rank($0) ?? -.infinity }
        let ordered = workers.indices.sorted { score[$0] > score[$1] }
        #expect(ordered == [2, 0, 1])
    }

    @Test("An accept policy sees the job, the submitter and the worker under worker.")
    func acceptContext() throws {
        let accept = try MatchExpression(parsing: """
            job.max_credits >= 5 && submitter in ["ab12cd34", "ffee"] && worker.slots_free > 0
            """)
        let context = Attributes.acceptContext(worker: ExpressionFixtures.worker, job: ExpressionFixtures.job,
                                               submitter: ExpressionFixtures.submitter)
        #expect(accept.match(context) == .matched)
        // Unqualified worker attributes are not visible to an accept policy.
        #expect(try MatchExpression(parsing: "cores").evaluate(context) == .undefined)
        let stranger = Attributes.acceptContext(worker: ExpressionFixtures.worker, job: ExpressionFixtures.job,
                                                submitter: "0000")
        #expect(accept.match(stranger) == .rejected)
    }

    @Test("The attribute paths an expression reads are listed")
    func attributePaths() throws {
        let expression = try MatchExpression(parsing: "has(labels.gpu) && cores > 2 && job.max_credits >= cores")
        #expect(expression.attributePaths == ["cores", "job.max_credits", "labels.gpu"])
        #expect(expression.description == expression.source)
    }

    @Test("An expression encodes as its source and decoding reports parse errors")
    func codable() throws {
        let expression = try MatchExpression(parsing: "cores >= 4")
        let data = try JSONEncoder().encode([expression])
        #expect(String(decoding: data, as: UTF8.self) == "[\"cores >= 4\"]")
        #expect(try JSONDecoder().decode([MatchExpression].self, from: data) == [expression])
        let error = try #require(throws: DecodingError.self) {
            try JSONDecoder().decode([MatchExpression].self, from: Data("[\"cores >\"]".utf8))
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription.contains("expected an expression, found the end of the expression"))
    }
}
