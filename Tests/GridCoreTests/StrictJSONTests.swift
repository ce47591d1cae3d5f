import Foundation
import GridTestKit
import Testing
@testable import GridCore

/// The strict JSON checker: what it refuses, and that it says where.
@Suite("Strict JSON")
struct StrictJSONTests {
    static func problem(_ text: String) -> JSONSyntaxError? {
        do {
            try StrictJSON.check(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("RFC 8259 documents pass", arguments: [
        "{}", "[]", "0", "-0.5e+10", "1E3", #""text""#, "true", "false", "null", " \n\t{ } \r\n",
        "1e308", "-1.7976931348623157e308", "1e-400", "123456789012345678901234567890",
        #"{"a": [1, 2.5, -3, {"b": null}], "c": "é \"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00"}"#,
        "\u{FEFF}{}", #"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#,
    ])
    func accepts(text: String) {
        #expect(Self.problem(text) == nil)
    }

    @Test("each problem is reported at its line and column", arguments: [
        ("", 1, 1, "the document is empty"),
        ("{\n  \"a\": 1,\n}", 3, 1, "a trailing comma is not allowed before '}'"),
        ("[1, 2,]", 1, 7, "a trailing comma is not allowed before ']'"),
        ("{\"a\": 1,\n \"b\": 2,\n \"a\": 3}", 3, 2, "duplicate key \"a\" (first at line 1, column 2)"),
        (#"{"\u0061": 1, "a": 2}"#, 1, 15, "duplicate key \"a\" (first at line 1, column 2)"),
        ("{'a': 1}", 1, 2, "expected a key in double quotes but found '''"),
        (#"{"a" 1}"#, 1, 6, "expected ':' after the key \"a\" but found '1'"),
        (#"{"a": 1 "b": 2}"#, 1, 9, "expected ',' or '}' but found '\"'"),
        ("[1 2]", 1, 4, "expected ',' or ']' but found '2'"),
        (#"{"a": True}"#, 1, 7, "expected a value but found 'True'"),
        ("[01]", 1, 2, "a number must not start with a leading zero"),
        ("[1.]", 1, 2, "a number must have digits after '.'"),
        ("[-]", 1, 2, "a number must have digits after '-'"),
        ("[1e]", 1, 2, "a number's exponent must have digits"),
        ("[\"abc", 1, 2, "the string starting here is never closed"),
        ("[\"a\tb\"]", 1, 4, "a control character (byte 0x09) must be escaped inside a string"),
        (#"["\x"]"#, 1, 3, "'\\x' is not a JSON escape"),
        (#"["\u12"]"#, 1, 7, "'\\u' must be followed by four hex digits"),
        ("{} {}", 1, 4, "unexpected '{' after the end of the document"),
        ("// note\n{}", 1, 1, "expected a value but found '/'"),
        ("[nul]", 1, 2, "expected a value but found 'nul'"),
        ("[truex]", 1, 2, "expected a value but found 'truex'"),
        ("{\"é\": 1, \"é\": 2}", 1, 10, "duplicate key \"é\" (first at line 1, column 2)"),
        ("[", 1, 2, "the document ends where a value was expected"),
        (#"["\ude80"]"#, 1, 3, "'\\uDE80' is a lone surrogate: it must follow a high surrogate (\\uD800-\\uDBFF)"),
        (#"["\ud83d"]"#, 1, 3, "'\\uD83D' is a lone surrogate: a low surrogate (\\uDC00-\\uDFFF) must follow it"),
        ("[1,\n -1e309]", 2, 2, "the number -1e309 is too large (beyond ±1.8e308)"),
        ("1" + String(repeating: "0", count: 400), 1, 1,
         "the number 1000000000000000000000000000000000000000… is too large (beyond ±1.8e308)"),
        (#"[1, "\ud83d\u0041"]"#, 1, 6,
         "'\\uD83D' is a lone surrogate: a low surrogate (\\uDC00-\\uDFFF) must follow it"),
    ])
    func refuses(text: String, line: Int, column: Int, reason: String) throws {
        let error = try #require(Self.problem(text))
        #expect(error == JSONSyntaxError(line: line, column: column, reason: reason))
    }

    @Test("nesting deeper than the limit is an error, not a stack overflow")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(Self.problem(deep))
        #expect(error.reason.contains("nested more than \(StrictJSON.maxDepth) deep"))
        let depth = StrictJSON.maxDepth
        let fine = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(Self.problem(fine) == nil)
    }

    @Test("random bytes never crash it, and whatever it accepts Foundation parses too", arguments: [1, 2, 3, 4])
    func randomInput(seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let alphabet = Array(#"{}[],:"\ tfn0123456789.-eE+ua"#.utf8) + [0x0A, 0xC3, 0xA9]
        for _ in 0..<5_000 {
            let length = Int.random(in: 0..<24, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            // Exponents are left out: Foundation may refuse a number too large for a Double, which JSON allows.
            let hasExponent = bytes.contains(UInt8(ascii: "e")) || bytes.contains(UInt8(ascii: "E"))
            var accepted = true
            do {
                try StrictJSON.check(bytes)
            } catch {
                accepted = false
            }
            if !hasExponent, accepted {
                #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil,
                        "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
