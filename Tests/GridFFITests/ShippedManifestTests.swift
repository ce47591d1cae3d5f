import GridFFI
import GridTestKit
import Testing

/// The example manifests in Plugins/ffi over libz and libm, against known references.
@Suite("Shipped FFI manifests")
struct ShippedManifestTests {
    @Test("zlib.crc32 of [0, \"hello\"] is 907060870, as the issue promises")
    func crc32Hello() throws {
        let plugin = try FFIPlugin(manifest: try shippedManifest("zlib.json"))
        #expect(try run(plugin, "zlib.crc32", #"[0, "hello"]"#) == "907060870")
    }

    @Test("zlib.crc32 matches the CRC-32 check values", arguments: [
        ("", UInt64(0)),
        ("a", 0xE8B7_BE43),
        ("abc", 0x3524_41C2),
        ("123456789", 0xCBF4_3926),
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
    ])
    func crc32Vectors(text: String, expected: UInt64) throws {
        let plugin = try FFIPlugin(manifest: try shippedManifest("zlib.json"))
        #expect(try run(plugin, "zlib.crc32", "[0, \"\(text)\"]") == String(expected))
    }

    @Test("zlib.crc32 continues from a previous CRC, and takes base64 buffers; adler32 matches its reference")
    func crc32Chained() throws {
        let plugin = try FFIPlugin(manifest: try shippedManifest("zlib.json"))
        let first = try run(plugin, "zlib.crc32", #"[0, "12345"]"#)
        #expect(try run(plugin, "zlib.crc32", "[\(first), \"6789\"]") == String(0xCBF4_3926))
        #expect(try run(plugin, "zlib.crc32", #"[0, {"base64": "MTIzNDU2Nzg5"}]"#) == String(0xCBF4_3926))
        // Adler-32 of "Wikipedia" is 0x11E60398 (the worked example of the algorithm).
        #expect(try run(plugin, "zlib.adler32", #"[1, "Wikipedia"]"#) == String(0x11E6_0398))
    }

    @Test("math.erf of 0.5 is 0.5204998778130465; erfc, cbrt, pow and ldexp agree with references")
    func libm() throws {
        let plugin = try FFIPlugin(manifest: try shippedManifest("libm.json"))
        #expect(try run(plugin, "math.erf", "[0.5]") == "0.5204998778130465")
        #expect(try run(plugin, "math.erf", "[0]") == "0.0")
        #expect(try run(plugin, "math.erf", "[-1]") == "-0.8427007929497149")
        #expect(try run(plugin, "math.erfc", "[0.5]") == "0.4795001221869535")
        // glibc's cbrt(27) is 3.0000000000000004 (within its documented 1 ulp); 8 is exact.
        #expect(try run(plugin, "math.cbrt", "[8]") == "2.0")
        #expect(try run(plugin, "math.cbrt", "[-8]") == "-2.0")
        #expect(try run(plugin, "math.pow", "[2, 10]") == "1024.0")
        #expect(try run(plugin, "math.ldexp", "[0.75, 4]") == "12.0")
    }

    @Test("the shipped manifests declare what the docs list")
    func declarations() throws {
        let zlib = try shippedManifest("zlib.json")
        #expect(zlib.library == "libz.so.1")
        #expect(zlib.capabilities.map(\.name) == ["zlib.crc32", "zlib.adler32"])
        #expect(zlib.capabilities[0].cSignature
            == "uint64_t crc32(uint64_t crc, const uint8_t *data, uint32_t data_length)")
        let libm = try shippedManifest("libm.json")
        #expect(libm.library == "libm.so.6")
        #expect(libm.capabilities.map(\.name) == ["math.erf", "math.erfc", "math.cbrt", "math.pow", "math.ldexp"])
    }
}
