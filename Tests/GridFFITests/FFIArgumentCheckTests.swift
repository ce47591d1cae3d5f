import GridFFI
import GridTestKit
import Testing

/// Inputs refused before any call, each with an error naming the argument and what was expected.
@Suite("FFI argument checks")
struct FFIArgumentCheckTests {
    static let manifest: FFIManifest = try! fixtureManifest([
        declaration("all", symbol: "mixed", returns: "double", """
            {"name": "a", "type": "int8"}, {"name": "b", "type": "uint16"}, {"name": "c", "type": "int32"},
            {"name": "d", "type": "int64"}, {"name": "e", "type": "float"}, {"name": "f", "type": "double"},
            {"name": "g", "type": "uint8"}, {"name": "h", "type": "int16"}
            """),
        declaration("strlen", symbol: "string_length", returns: "uint64", #"{"name": "s", "type": "string"}"#),
        declaration("last", symbol: "last_byte", returns: "uint8",
                    #"{"name": "data", "type": "buffer", "length": "uint8"}"#),
        declaration("u64", symbol: "add_u64", returns: "uint64",
                    #"{"name": "a", "type": "uint64"}, {"name": "b", "type": "uint64"}"#),
        declaration("letters", symbol: "fill_letters", returns: "int32",
                    #"{"name": "out", "type": "output", "size": {"valueOf": "n"}}, {"name": "n", "type": "int32"}"#),
    ])

    static func capability(_ name: String) -> FFICapability { manifest.capability(named: "fx." + name)! }

    @Test("a wrong argument count names the expected parameters and the count given")
    func count() throws {
        let error = try #require(argumentError(Self.capability("u64"), "[1]"))
        #expect(error.description == "fx.u64 takes 2 arguments [a: uint64, b: uint64], but the input has 1.")
        let one = argumentError(Self.capability("strlen"), #"["a", "b"]"#)
        #expect(one?.description.contains("takes 1 argument") == true)
    }

    @Test("input that is not a JSON array is refused as such")
    func notArray() throws {
        #expect(argumentError(Self.capability("u64"), #"{"a": 1}"#)?.description
            == "The input of fx.u64 must be a JSON array of arguments, not an object.")
        #expect(argumentError(Self.capability("u64"), "[1, 2")?.description.contains("not strict JSON") == true)
        #expect(argumentError(Self.capability("u64"), "[1, 2] 3")?.description.contains("after the JSON value") == true)
        #expect(argumentError(Self.capability("u64"), "hello")?.description.contains("at byte 0") == true)
    }

    @Test("integers out of range for their width name the argument and the range", arguments: [
        ("[128, 0, 0, 0, 0, 0, 0, 0]", 0, "a", "is out of range for int8: 128 is not from -128 to 127"),
        ("[0, -1, 0, 0, 0, 0, 0, 0]", 1, "b", "is out of range for uint16: -1 is not from 0 to 65535"),
        ("[0, 0, 2147483648, 0, 0, 0, 0, 0]", 2, "c", "is out of range for int32"),
        ("[0, 0, 0, 9223372036854775808, 0, 0, 0, 0]", 3, "d", "is out of range for int64"),
        ("[0, 0, 0, 0, 1e39, 0, 0, 0]", 4, "e", "is out of range for float"),
        ("[0, 0, 0, 0, 0, 1e309, 0, 0]", 5, "f", "is out of range for double"),
        ("[0, 0, 0, 0, 0, 0, 256, 0]", 6, "g", "is out of range for uint8: 256 is not from 0 to 255"),
        ("[0, 0, 0, 0, 0, 0, 0, -32769]", 7, "h", "is out of range for int16"),
    ])
    func ranges(input: String, index: Int, name: String, expected: String) throws {
        let error = try #require(argumentError(Self.capability("all"), input))
        #expect(error.argumentIndex == index)
        #expect(error.parameterName == name)
        #expect(error.description.hasPrefix("Argument \(index) (\(name)) of fx.all \(expected)"), "\(error)")
    }

    @Test("uint64 takes its whole range and nothing past it")
    func uint64Limits() throws {
        #expect(argumentError(Self.capability("u64"), "[18446744073709551616, 0]")?.description
            .contains("out of range for uint64: 18446744073709551616 is not from 0 to 18446744073709551615") == true)
        #expect(argumentError(Self.capability("u64"), "[-1, 0]")?.argumentIndex == 0)
        #expect(throws: Never.self) { try Self.capability("u64").plan(input: Array("[18446744073709551615, 0]".utf8)) }
    }

    @Test("wrong JSON types name what was expected", arguments: [
        (#"["1", 0, 0, 0, 0, 0, 0, 0]"#, "all", 0, "must be an integer of type int8, not a string"),
        ("[1.5, 0, 0, 0, 0, 0, 0, 0]", "all", 0, "must be a whole number written without fraction or exponent"),
        ("[1e2, 0, 0, 0, 0, 0, 0, 0]", "all", 0, "must be a whole number"),
        ("[0, 0, 0, 0, true, 0, 0, 0]", "all", 4, "must be a number of type float"),
        ("[0, 0, 0, 0, 0, null, 0, 0]", "all", 5, "must be a number of type double"),
        ("[42]", "strlen", 0, "must be a string, not a number"),
        (#"["a\u0000b"]"#, "strlen", 0, "contains a NUL character"),
        ("[[1, 2]]", "last", 0, "must be a buffer, given as a string or {\"base64\": \"...\"}"),
        (#"[{"base64": "not base64!"}]"#, "last", 0, "has a \"base64\" field that is not a base64 string"),
        (#"[{"base64": "AA==", "extra": 1}]"#, "last", 0, "must be a buffer"),
        ("[-1]", "letters", 0, "is out of range for int32") ,
    ])
    func types(input: String, capability: String, index: Int, expected: String) throws {
        let error = try #require(argumentError(Self.capability(capability), input))
        if capability == "letters" {
            // -1 fits int32; its size rule is what refuses it.
            #expect(error.parameterName == "out")
            #expect(error.description.contains("must be from 0 to"), "\(error)")
        } else {
            #expect(error.argumentIndex == index)
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test("a buffer longer than its length type can pass is refused before the call")
    func bufferLength() throws {
        let long = String(repeating: "x", count: 256)
        let error = try #require(argumentError(Self.capability("last"), "[\"\(long)\"]"))
        #expect(error.description == "Argument 0 (data) of fx.last is 256 bytes long, more than its length type "
            + "uint8 can pass (at most 255).")
        #expect(throws: Never.self) {
            try Self.capability("last").plan(input: Array("[\"\(String(repeating: "x", count: 255))\"]".utf8))
        }
    }

    @Test("an output whose size rule gives too many bytes is refused before the call")
    func outputTooLarge() throws {
        let error = try #require(argumentError(Self.capability("letters"), "[2147483647]"))
        #expect(error.parameterName == "out")
        #expect(error.description.contains("must be from 0 to 67108864"))
    }
}
