import Testing

@testable import GridFFI

@Suite("Strict JSON")
struct JSONParserTests {
    @Test("values parse, numbers keep their exact text, escapes and surrogate pairs decode")
    func values() throws {
        let text = #" [1, -0.5e3, 18446744073709551615, "a\"\n\u00e9\ud83d\ude00", true, null, {}] "#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value == .array([
            .number("1"), .number("-0.5e3"), .number("18446744073709551615"), .string("a\"\né😀"), .bool(true),
            .null, .object([:]),
        ]))
    }

    @Test("what Foundation would let through is refused here", arguments: [
        #"{"a": 1, "a": 2}"#, "[1] x", "[1,]", "01", "1.", "-", #""\x""#, "[\"\u{01}\"]", #""\ud800""#,
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "NaN", "",
    ])
    func refused(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }
}
