import GridCore
import GridTestKit
import Testing


@Suite("Expression robustness")
struct ExpressionFuzzTests {
    /// Tokens and fragments, valid and not, that random streams are made of.
    static let vocabulary: [String] = [
        "(", ")", "[", "]", ",", ".", "!", "-", "+", "*", "/", "%", "&&", "||", "&", "|", "=", "==", "!=", "<", "<=",
        ">", ">=", "in", "true", "false", "undefined", "0", "1", "-1", "9223372036854775807", "1e308", "2.5", "1e",
        "1.", "\"a100\"", "\"\"", "\"unterminated", "\"esc\\q\"", "'x'", "cores", "memory_gb", "load", "os",
        "labels", "labels.gpu", "worker", "worker.cores", "job.max_credits", "submitter", "big", "tags", "has",
        "has(", "min(", "max(", "contains(", "starts_with(", "semver(", "semver(\"^1\",", "foo(", "@", "#", "\n", "\t",
        "é", "\u{0}", "\u{200B}", "🙂", "`", "\\",
    ]

    /// Attribute sets with the usual names bound to values of surprising kinds.
    static let attributeSets: [Attributes] = [
        ExpressionFixtures.context,
        Attributes(),
        ["cores": "eight", "memory_gb": [1, 2], "load": .int(Int.min), "os": 5, "labels.gpu": true,
         "big": .int(Int.max),
         "tags": "not a list", "submitter": .decimal(-0.0), "plugin_version": "x.y.z"],
    ]

    @Test("Random token streams never crash the parser or the evaluator", arguments: 0..<8)
    func randomTokenStreams(_ batch: Int) {
        var random = SeededRandom(seed: 0xC1A5_5AD5 &+ UInt64(batch))
        var parsed = 0
        for _ in 0..<500 {
            let count = Int.random(in: 0...30, using: &random)
            var source = ""
            for _ in 0..<count {
                source += Self.vocabulary.randomElement(using: &random) ?? ""
                source += [" ", "", " ", "\n"].randomElement(using: &random) ?? ""
            }
            exercise(source, parsed: &parsed)
        }
        // The stream should sometimes be valid, or the test would only ever exercise the error paths.
        #expect(parsed > 0)
    }

    @Test("Random Unicode text never crashes the parser")
    func randomText() {
        var random = SeededRandom(seed: 42)
        var parsed = 0
        for _ in 0..<2000 {
            let length = Int.random(in: 0...40, using: &random)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length {
                let pick = Int.random(in: 0..<10, using: &random)
                let value: UInt32 = pick < 7 ? UInt32.random(in: 0...0x7F, using: &random)
                    : UInt32.random(in: 0x80...0x1_FFFF, using: &random)
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            exercise(String(scalars), parsed: &parsed)
        }
    }

    @Test("Mutations of valid expressions never crash the parser")
    func mutations() throws {
        var random = SeededRandom(seed: 7)
        let seeds = ExpressionTable.all.map(\.source).filter { !$0.isEmpty }
        var parsed = 0
        for _ in 0..<3000 {
            var characters = Array(seeds.randomElement(using: &random) ?? "cores")
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...characters.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where position < characters.count: characters.remove(at: position)
                case 1: characters.insert(Array("()[],.!\"&|=<>+-*/%#\\ 9a").randomElement(using: &random) ?? " ",
                                          at: position)
                default:
                    if position < characters.count { characters.swapAt(position, characters.count - 1) }
                }
            }
            exercise(String(characters), parsed: &parsed)
        }
        #expect(parsed > 0)
    }

    /// Parses `source`; when it parses, evaluates it every way against every attribute set.
    private func exercise(_ source: String, parsed: inout Int) {
        do {
            let expression = try MatchExpression(parsing: source)
            parsed += 1
            for attributes in Self.attributeSets {
                _ = try? expression.evaluate(attributes)
                _ = expression.match(attributes).reason
                _ = expression.rank(attributes)
            }
        } catch {
            #expect(error.line >= 1 && error.column >= 1, "\(source.debugDescription)")
            #expect(!error.message.isEmpty)
            #expect(error.caretDisplay.contains("^"))
            _ = error.description
        }
    }
}
