import GridFFI
import GridFFICall
import GridTestKit
import Testing

/// Every manifest type through a real libffi call, from JSON input to JSON output.
@Suite("FFI manifests: real calls")
struct FFIRoundTripTests {
    static let plugin: FFIPlugin = try! FFIPlugin(manifest: fixtureManifest([
        declaration("neg8", symbol: "negate_i8", returns: "int8", #"{"name": "x", "type": "int8"}"#),
        declaration("add16", symbol: "add_i16", returns: "int16",
                    #"{"name": "a", "type": "int16"}, {"name": "b", "type": "int16"}"#),
        declaration("add32", symbol: "add_i32", returns: "int32",
                    #"{"name": "a", "type": "int32"}, {"name": "b", "type": "int32"}"#),
        declaration("add64", symbol: "add_i64", returns: "int64",
                    #"{"name": "a", "type": "int64"}, {"name": "b", "type": "int64"}"#),
        declaration("addu8", symbol: "add_u8", returns: "uint8",
                    #"{"name": "a", "type": "uint8"}, {"name": "b", "type": "uint8"}"#),
        declaration("addu16", symbol: "add_u16", returns: "uint16",
                    #"{"name": "a", "type": "uint16"}, {"name": "b", "type": "uint16"}"#),
        declaration("addu32", symbol: "add_u32", returns: "uint32",
                    #"{"name": "a", "type": "uint32"}, {"name": "b", "type": "uint32"}"#),
        declaration("addu64", symbol: "add_u64", returns: "uint64",
                    #"{"name": "a", "type": "uint64"}, {"name": "b", "type": "uint64"}"#),
        declaration("mulf", symbol: "mul_f", returns: "float",
                    #"{"name": "a", "type": "float"}, {"name": "b", "type": "float"}"#),
        declaration("divd", symbol: "div_d", returns: "double",
                    #"{"name": "a", "type": "double"}, {"name": "b", "type": "double"}"#),
        declaration("strlen", symbol: "string_length", returns: "uint64", #"{"name": "s", "type": "string"}"#),
        declaration("sum", symbol: "byte_sum", returns: "uint64",
                    #"{"name": "data", "type": "buffer", "length": "uint32"}"#),
        declaration("last", symbol: "last_byte", returns: "uint8",
                    #"{"name": "data", "type": "buffer", "length": "uint8"}"#),
        declaration("reverse", symbol: "reverse_into", returns: "void", """
            {"name": "data", "type": "buffer"},
            {"name": "out", "type": "output", "size": {"lengthOf": "data"}, "length": "uint64", "encoding": "hex"}
            """),
        declaration("letters", symbol: "fill_letters", returns: "int32", """
            {"name": "out", "type": "output", "size": {"valueOf": "n", "times": 1, "plus": 0}, "encoding": "text"},
            {"name": "n", "type": "int32"}
            """),
        declaration("greet", symbol: "write_greeting", returns: "void",
                    #"{"name": "name", "type": "string"}, {"name": "out", "type": "output", "size": 32}"#),
        declaration("prefix", symbol: "fill_letters", returns: "int32", """
            {"name": "out", "type": "output", "size": 16, "encoding": "hex", "trimToReturn": true},
            {"name": "n", "type": "int32"}
            """),
        declaration("bump", symbol: "bump", returns: "void", ""),
    ]))

    @Test("signed and unsigned integers of 8 to 64 bits, at their limits")
    func integers() throws {
        let plugin = Self.plugin
        #expect(try run(plugin, "fx.neg8", "[-127]") == "127")
        #expect(try run(plugin, "fx.add16", "[-32768, 32767]") == "-1")
        #expect(try run(plugin, "fx.add32", "[2147483647, -2147483648]") == "-1")
        #expect(try run(plugin, "fx.add64", "[-9223372036854775808, 9223372036854775807]") == "-1")
        #expect(try run(plugin, "fx.addu8", "[200, 55]") == "255")
        #expect(try run(plugin, "fx.addu16", "[65535, 0]") == "65535")
        #expect(try run(plugin, "fx.addu32", "[4294967295, 0]") == "4294967295")
        #expect(try run(plugin, "fx.addu64", "[18446744073709551614, 1]") == "18446744073709551615")
    }

    @Test("float and double, including the values JSON cannot write as numbers")
    func floatingPoint() throws {
        #expect(try run(Self.plugin, "fx.mulf", "[1.5, -2]") == "-3.0")
        #expect(try run(Self.plugin, "fx.mulf", "[0.1, 1]") == "0.1")
        #expect(try run(Self.plugin, "fx.divd", "[1, 3]") == "0.3333333333333333")
        #expect(try run(Self.plugin, "fx.divd", "[1e300, 1e-300]") == "\"Infinity\"")
        #expect(try run(Self.plugin, "fx.divd", "[0, 0]") == "\"NaN\"")
        #expect(try run(Self.plugin, "fx.divd", #"["-Infinity", 2]"#) == "\"-Infinity\"")
    }

    @Test("strings as UTF-8, buffers as strings or base64, with their lengths passed")
    func stringsAndBuffers() throws {
        #expect(try run(Self.plugin, "fx.strlen", #"["héllo"]"#) == "6")
        #expect(try run(Self.plugin, "fx.strlen", #"[""]"#) == "0")
        #expect(try run(Self.plugin, "fx.sum", #"["AB"]"#) == "131")
        #expect(try run(Self.plugin, "fx.sum", #"[{"base64": "AQID+g=="}]"#) == "256")
        #expect(try run(Self.plugin, "fx.last", #"[{"base64": "AQID+g=="}]"#) == "250")
    }

    @Test("output buffers sized by rule, returned in their encoding next to the return value")
    func outputs() throws {
        #expect(try run(Self.plugin, "fx.reverse", #"[{"base64": "AQID"}]"#) == #"{"return":null,"out":"030201"}"#)
        #expect(try run(Self.plugin, "fx.letters", "[5]") == #"{"return":5,"out":"abcde"}"#)
        #expect(try run(Self.plugin, "fx.greet", #"["ada"]"#)
            == #"{"return":null,"out":{"base64":"aGkgYWRhAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}"#)
        #expect(try run(Self.plugin, "fx.bump", "[]") == "null")
        // Trimmed to the count the function returns: none for a negative count.
        #expect(try run(Self.plugin, "fx.prefix", "[3]") == #"{"return":3,"out":"616263"}"#)
        #expect(try run(Self.plugin, "fx.prefix", "[-1]") == #"{"return":-1,"out":""}"#)
    }

    @Test("the plan carries the computed lengths and sizes, and round-trips through its encoding")
    func plans() throws {
        let reverse = try #require(Self.plugin.manifest.capability(named: "fx.reverse"))
        let plan = try reverse.plan(input: Array(#"["abcd"]"#.utf8))
        #expect(plan.arguments
            == [.bytes(Array("abcd".utf8)), .value(.uint64(4)), .output(size: 4), .value(.uint64(4))])
        #expect(plan.symbol == "reverse_into")
        #expect(try FFICallPlan(decoding: plan.encode()) == plan)
        #expect(reverse.cSignature
            == "void reverse_into(const uint8_t *data, uint64_t data_length, uint8_t *out, uint64_t out_size)")
    }

    @Test("a result of another shape than declared is refused, not formatted")
    func mismatchedResult() throws {
        let sum = try #require(Self.plugin.manifest.capability(named: "fx.sum"))
        #expect(throws: FFIEncodingError.self) { try sum.format(FFIRawResult(returnValue: .int32(1), outputs: [])) }
        #expect(throws: FFIEncodingError.self) {
            try sum.format(FFIRawResult(returnValue: .uint64(1), outputs: [[1]]))
        }
    }
}
